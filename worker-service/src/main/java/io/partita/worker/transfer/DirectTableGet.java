package io.partita.worker.transfer;

import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.Detachable;
import io.grpc.HasByteBuffer;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.partita.common.auth.ClusterToken;
import io.partita.common.flight.FlightTls;
import io.partita.common.flight.TableTicket;
import io.partita.common.tls.Tls;
import io.partita.worker.store.ObjectStore;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flight.impl.Flight;

/**
 * DoGet of a table straight into a new segment file, without Flight Java's reader: Flight 19 copies every message
 * body into a heap {@code byte[]} and then into an Arrow buffer (two copies, and a humongous allocation per 4 MiB
 * batch; see docs/data-plane.md). This call speaks the same {@code DoGet} of the Flight protocol with a response
 * marshaller that keeps gRPC's buffers ({@link Detachable}), parses each {@code FlightData} itself (its header and
 * application metadata are small) and writes the IPC message, header and then body, into the file: the body goes
 * from Netty's buffers ({@link HasByteBuffer}) to the file's pages, the one copy of the receive path.
 *
 * <p>Only what our own holders send is accepted (a schema, then record batches, the first announcing the table's size:
 * {@link io.partita.common.data.TableStreams#sizeHint}); anything else fails with {@link Unexpected}, and the caller
 * fetches the table with Flight's reader instead.
 */
final class DirectTableGet implements AutoCloseable {
    private static final MethodDescriptor<Flight.Ticket, InputStream> DO_GET = MethodDescriptor.<Flight.Ticket, InputStream>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING)
            .setFullMethodName(MethodDescriptor.generateFullMethodName("arrow.flight.protocol.FlightService", "DoGet"))
            .setRequestMarshaller(ProtoUtils.marshaller(Flight.Ticket.getDefaultInstance()))
            .setResponseMarshaller(new Detaching())
            .build();
    private static final int FLIGHT_DATA_HEADER = 2;
    private static final int FLIGHT_DATA_APP_METADATA = 3;
    private static final int FLIGHT_DATA_BODY = 1000;

    /** The holder's answer was not what this reader handles (not an error of the holder): use Flight's reader. */
    static final class Unexpected extends IOException {
        Unexpected(String message) {
            super(message);
        }
    }

    private final ManagedChannel channel;
    private final io.grpc.Channel authed;

    DirectTableGet(String flightUri, ClusterToken token, Tls tls) {
        URI uri = URI.create(flightUri);
        if (!"grpc+tcp".equals(uri.getScheme()) && !"grpc".equals(uri.getScheme()) && !"grpc+tls".equals(uri.getScheme())) {
            throw new IllegalArgumentException("not a Flight location over TCP: " + flightUri);
        }
        this.channel = FlightTls.channel(flightUri, tls);
        Metadata headers = new Metadata();
        token.headerValue().ifPresent(v -> headers.put(Metadata.Key.of(ClusterToken.HEADER, Metadata.ASCII_STRING_MARSHALLER), v));
        this.authed = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    /** Fetches table {@code key} into {@code store}; returns its size, or -1 when the holder does not hold it. */
    long fetch(ObjectStore store, String key) throws IOException {
        ClientCall<Flight.Ticket, InputStream> call = authed.newCall(DO_GET, CallOptions.DEFAULT);
        Flight.Ticket ticket = Flight.Ticket.newBuilder()
                .setTicket(com.google.protobuf.ByteString.copyFrom(new TableTicket(key).toTicket().getBytes())).build();
        Iterator<InputStream> messages = ClientCalls.blockingServerStreamingCall(call, ticket);
        boolean done = false;
        FlightData first = null;
        try {
            FlightData schema;
            try {
                schema = next(messages);
            } catch (StatusRuntimeException e) {
                if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                    done = true;
                    return -1;
                }
                throw e;
            }
            if (schema == null || schema.type() != MessageHeader.Schema || schema.bodyLength > 0) {
                throw new Unexpected("the first message of " + key + " is not a schema");
            }
            first = next(messages);
            long hint = first == null ? 0 : first.sizeHint();
            if (first != null && hint < 0) {
                throw new Unexpected("the holder did not announce the size of " + key);
            }
            FlightData[] pending = {first};
            long hintBytes = hint;
            long size = store.storeSegment(key, hint, file -> write(store.newSegmentFile(file, hintBytes), file, schema, pending, messages));
            done = true;
            return size;
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (first != null) {
                first.close(); // no-op once written
            }
            if (!done) {
                call.cancel("stopped reading", null);
            }
        }
    }

    private static long write(Path tmp, Path file, FlightData schema, FlightData[] pending, Iterator<InputStream> messages)
            throws IOException {
        boolean moved = false;
        try {
            long position;
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                position = schema.writeTo(out, 0);
                FlightData m = pending[0];
                while (m != null) {
                    try (FlightData message = m) {
                        if (message.type() != MessageHeader.RecordBatch) {
                            throw new Unexpected("a message of type " + message.type() + " in a table's stream");
                        }
                        position = message.writeTo(out, position);
                    }
                    m = next(messages);
                }
                ByteBuffer eos = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putInt(-1).putInt(0).flip();
                position += writeFully(out, eos, position);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            return position;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static FlightData next(Iterator<InputStream> messages) throws IOException {
        return messages.hasNext() ? FlightData.parse(messages.next()) : null;
    }

    private static int writeFully(FileChannel out, ByteBuffer b, long position) throws IOException {
        int n = b.remaining();
        while (b.hasRemaining()) {
            position += out.write(b, position);
        }
        return n;
    }

    @Override
    public void close() {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One FlightData: its IPC header and app metadata read, its body still in gRPC's buffers ({@code body}). */
    private static final class FlightData implements AutoCloseable {
        final byte[] header;
        final byte[] appMetadata;
        final InputStream body;
        final long bodyLength;
        private final Message message;

        private FlightData(byte[] header, byte[] appMetadata, InputStream body, long bodyLength) throws Unexpected {
            this.header = header;
            this.appMetadata = appMetadata;
            this.body = body;
            this.bodyLength = bodyLength;
            if (header == null) {
                throw new Unexpected("a message without an IPC header");
            }
            this.message = Message.getRootAsMessage(ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN));
            if (message.bodyLength() != bodyLength) {
                throw new Unexpected("a body of " + bodyLength + " bytes for a header saying " + message.bodyLength());
            }
        }

        byte type() {
            return message.headerType();
        }

        long sizeHint() {
            return appMetadata != null && appMetadata.length == Long.BYTES
                    ? ByteBuffer.wrap(appMetadata).order(ByteOrder.LITTLE_ENDIAN).getLong() : -1;
        }

        /** Parses the protobuf fields up to the body, which must come last (as Flight writes it). */
        static FlightData parse(InputStream in) throws IOException {
            byte[] header = null;
            byte[] appMetadata = null;
            try {
                while (true) {
                    long tag = varint(in, true);
                    if (tag < 0) {
                        in.close();
                        return new FlightData(header, appMetadata, null, 0);
                    }
                    int field = (int) (tag >>> 3);
                    if ((tag & 7) != 2) {
                        throw new Unexpected("FlightData field " + field + " is not length-delimited");
                    }
                    long length = varint(in, false);
                    if (field == FLIGHT_DATA_BODY) {
                        return new FlightData(header, appMetadata, in, length); // the rest of the message
                    }
                    byte[] bytes = in.readNBytes(Math.toIntExact(length));
                    if (bytes.length != length) {
                        throw new EOFException("a FlightData field cut short");
                    }
                    if (field == FLIGHT_DATA_HEADER) {
                        header = bytes;
                    } else if (field == FLIGHT_DATA_APP_METADATA) {
                        appMetadata = bytes;
                    } // else: a descriptor, ignored
                }
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }

        private static long varint(InputStream in, boolean endOk) throws IOException {
            long value = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int b = in.read();
                if (b < 0) {
                    if (endOk && shift == 0) {
                        return -1;
                    }
                    throw new EOFException("a FlightData varint cut short");
                }
                value |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return value;
                }
            }
            throw new Unexpected("a FlightData varint too long");
        }

        /** Writes the IPC message (continuation, padded header length, header, padding, body) at {@code position}. */
        long writeTo(FileChannel out, long position) throws IOException {
            int padded = (header.length + 8 + 7) / 8 * 8 - 8;
            ByteBuffer prefix = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            prefix.putInt(-1).putInt(padded).put(header).position(8 + padded).flip();
            position += writeFully(out, prefix, position);
            long left = bodyLength;
            if (body instanceof HasByteBuffer h && h.byteBufferSupported()) {
                while (left > 0) {
                    ByteBuffer b = h.getByteBuffer();
                    if (b == null) {
                        break;
                    }
                    int n = (int) Math.min(b.remaining(), left);
                    b.limit(b.position() + n);
                    position += writeFully(out, b, position);
                    long skipped = body.skip(n);
                    if (skipped != n) {
                        throw new EOFException("cannot skip a written part of a FlightData body");
                    }
                    left -= n;
                }
            }
            byte[] chunk = left > 0 ? new byte[(int) Math.min(left, 1 << 20)] : null;
            while (left > 0) { // no direct access to the buffers: through a small array
                int n = body.read(chunk, 0, (int) Math.min(chunk.length, left));
                if (n < 0) {
                    throw new EOFException("a FlightData body cut short");
                }
                position += writeFully(out, ByteBuffer.wrap(chunk, 0, n), position);
                left -= n;
            }
            return position;
        }

        private boolean closed;

        /** Releases the body's buffers (idempotent). */
        @Override
        public void close() throws IOException {
            if (body != null && !closed) {
                closed = true;
                body.close();
            }
        }
    }

    /** Hands each message's stream over detached from gRPC's buffers (valid after {@code parse} returns; closed by the reader). */
    private static final class Detaching implements MethodDescriptor.Marshaller<InputStream> {
        @Override
        public InputStream stream(InputStream value) {
            throw new UnsupportedOperationException("DoGet responses are only read");
        }

        @Override
        public InputStream parse(InputStream in) {
            if (in instanceof Detachable d) {
                return d.detach();
            }
            try {
                return new ByteArrayInputStream(in.readAllBytes());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
