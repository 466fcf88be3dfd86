package io.partita.common.codec;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.KeyDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import io.partita.common.config.ByteSize;
import io.partita.common.protocol.ClientRequest;
import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.WorkerCommand;
import io.partita.common.protocol.WorkerReport;
import io.partita.common.task.Arg;
import java.io.IOException;

/**
 * Encodes wire messages: CBOR on the WebSockets (compact, binary payloads stay binary), JSON on the HTTP API.
 * Only the message types registered here can be decoded: polymorphic types are closed sealed hierarchies.
 */
public final class MessageCodec {
    private static final ObjectMapper CBOR = configure(new CBORMapper()).registerModule(wellFormedText());
    private static final ObjectMapper JSON = configure(new JsonMapper());

    private MessageCodec() {}

    private static ObjectMapper configure(ObjectMapper mapper) {
        for (Class<?> sealed : new Class<?>[] {ClientRequest.class, ClientUpdate.class, WorkerReport.class,
                WorkerCommand.class, Arg.class}) {
            mapper.registerSubtypes(sealed.getPermittedSubclasses());
        }
        mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        return mapper;
    }

    /**
     * Refuses a CBOR text string that holds a lone surrogate: Jackson's CBOR parser decodes one from (ill-formed) UTF-8
     * without complaint, but its generator cannot write it, so a key decoded that way could never be sent on (to a
     * worker, back to the client) and its message would be lost where it is encoded.
     */
    private static SimpleModule wellFormedText() {
        return new SimpleModule("well-formed-text")
                .addDeserializer(String.class, new StdScalarDeserializer<String>(String.class) {
                    @Override
                    public String deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                        return wellFormed(StringDeserializer.instance.deserialize(p, ctx), p);
                    }
                })
                .addKeyDeserializer(String.class, new KeyDeserializer() {
                    @Override
                    public Object deserializeKey(String key, DeserializationContext ctx) throws IOException {
                        return wellFormed(key, ctx.getParser());
                    }
                });
    }

    private static String wellFormed(String s, JsonParser p) throws JsonMappingException {
        for (int i = 0; s != null && i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw JsonMappingException.from(p, "text is not well-formed UTF-8 (a lone surrogate at character " + i + ")");
            }
        }
        return s;
    }

    public static byte[] toCbor(Object message) {
        try {
            return CBOR.writeValueAsBytes(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + message.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decodes a CBOR message of type {@code type}.
     *
     * @throws ProtocolException naming the problem when the bytes are over {@code maxBytes} or not a valid message (a
     *                           CBOR null included): never another exception
     */
    public static <T> T fromCbor(byte[] bytes, Class<T> type, long maxBytes) {
        checkSize(bytes.length, maxBytes, type);
        T message;
        try {
            message = CBOR.readValue(bytes, type);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException("undecodable " + type.getSimpleName() + " message (" + bytes.length
                    + " bytes): " + firstLine(e.getMessage()), e);
        }
        if (message == null) { // a CBOR null: no message, which no caller expects
            throw new ProtocolException("undecodable " + type.getSimpleName() + " message (" + bytes.length
                    + " bytes): it is null");
        }
        return message;
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    /**
     * Decodes a JSON value of type {@code type}.
     *
     * @throws ProtocolException naming the problem when the text is not such a value (or is {@code null})
     */
    public static <T> T fromJson(String text, Class<T> type) {
        T value;
        try {
            value = JSON.readValue(text, type);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException("undecodable " + type.getSimpleName() + " JSON: " + firstLine(e.getMessage()), e);
        }
        if (value == null) {
            throw new ProtocolException("undecodable " + type.getSimpleName() + " JSON: it is null");
        }
        return value;
    }

    public static ObjectMapper json() {
        return JSON;
    }

    public static void checkSize(long size, long maxBytes, Class<?> type) {
        if (size > maxBytes) {
            throw new ProtocolException(type.getSimpleName() + " message of " + ByteSize.format(size)
                    + " is over the limit of " + ByteSize.format(maxBytes)
                    + ": split the graph, scatter large values instead of embedding them, or raise --max-message-size");
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "malformed";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
