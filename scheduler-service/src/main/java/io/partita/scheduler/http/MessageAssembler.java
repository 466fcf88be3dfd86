package io.partita.scheduler.http;

import io.partita.common.codec.MessageCodec;
import io.partita.common.codec.ProtocolException;
import io.vertx.core.buffer.Buffer;
import java.util.Optional;

/**
 * Puts a client's WebSocket frames back into messages, at most {@code maxBytes} each: a message over the limit is
 * not kept (its frames are counted and dropped as they come), and is reported once its last frame arrives, so that
 * the client is answered {@code RequestFailed} and its connection stays. One per connection, on its event loop.
 */
final class MessageAssembler {
    /** A whole message, or why there is none. */
    sealed interface Assembled {
        record Message(byte[] bytes) implements Assembled {}

        record Refused(String error) implements Assembled {}
    }

    private final long maxBytes;
    private Buffer parts;
    private long size;
    private boolean text;

    MessageAssembler(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * @param first whether this frame starts a message (a binary or text frame, not a continuation)
     * @return the message when {@code last} ends it
     */
    Optional<Assembled> frame(boolean first, boolean textFrame, boolean last, Buffer data) {
        if (first) {
            parts = Buffer.buffer();
            size = 0;
            text = textFrame;
        } else if (parts == null && size == 0) {
            return Optional.of(new Assembled.Refused("a continuation frame without a message to continue"));
        }
        size += data.length();
        if (size <= maxBytes && !text) {
            parts.appendBuffer(data);
        } else {
            parts = null; // over the limit (or text): nothing more is kept
        }
        if (!last) {
            return Optional.empty();
        }
        long total = size;
        Buffer whole = parts;
        parts = null;
        size = 0;
        if (text) {
            return Optional.of(new Assembled.Refused("text frames are not accepted: send each ClientRequest as one binary CBOR message"));
        }
        if (whole == null) {
            try {
                MessageCodec.checkSize(total, maxBytes, io.partita.common.protocol.ClientRequest.class);
            } catch (ProtocolException e) {
                return Optional.of(new Assembled.Refused(e.getMessage()));
            }
        }
        return Optional.of(new Assembled.Message(whole.getBytes()));
    }
}
