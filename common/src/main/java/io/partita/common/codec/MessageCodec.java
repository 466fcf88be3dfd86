package io.partita.common.codec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
    private static final ObjectMapper CBOR = configure(new CBORMapper());
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
     * @throws ProtocolException naming the problem when the bytes are over {@code maxBytes} or not a valid message
     */
    public static <T> T fromCbor(byte[] bytes, Class<T> type, long maxBytes) {
        checkSize(bytes.length, maxBytes, type);
        try {
            return CBOR.readValue(bytes, type);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException("undecodable " + type.getSimpleName() + " message (" + bytes.length
                    + " bytes): " + firstLine(e.getMessage()), e);
        }
    }

    public static String toJson(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode " + value.getClass().getSimpleName(), e);
        }
    }

    public static <T> T fromJson(String text, Class<T> type) {
        try {
            return JSON.readValue(text, type);
        } catch (IOException | RuntimeException e) {
            throw new ProtocolException("undecodable " + type.getSimpleName() + " JSON: " + firstLine(e.getMessage()), e);
        }
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
