package io.partita.worker.transfer;

import io.partita.common.auth.ClusterToken;
import io.partita.common.tls.Tls;
import io.partita.worker.store.ObjectStore;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The receiving side of the bulk path: pulls a table's segment file from a worker on another host
 * ({@link SegmentRoute}) and stores it as this worker's own segment, as it is: the file is already in the segment
 * format, so neither side decodes or re-encodes Arrow. Bytes go from the socket into a 1 MiB buffer and from there
 * into the new segment file ({@code pwrite}): one copy in user space, and the buffer stays in the CPU's cache.
 * Big files come in parts over parallel connections (the holder decides how many), which lets the kernel's
 * loopback/TCP work and the allocation of the file's memory pages run on more than one core.
 *
 * <p>Written on a socket ({@link BulkConnection}) rather than with an HTTP client library because the body must go
 * straight from the socket into the file; it speaks just enough HTTP/1.1 for one GET with {@code Connection: close}.
 */
final class SegmentPuller implements AutoCloseable {
    /** Parts asked for; the holder may answer fewer (small files come whole). */
    static final int PARTS = 2;
    private static final int BUFFER_BYTES = 1 << 20;
    private static final int POOLED_BUFFERS = 8;
    private static final int MAX_HEADER_BYTES = 16 << 10;

    private final ObjectStore store;
    private final ClusterToken token;
    private final Tls tls;
    /**
     * Reused receive buffers. Plain direct ByteBuffers on purpose: buffers from an {@code Arena} (a MemorySegment's
     * ByteBuffer view) made the tasks' own foreign-memory loops 4x slower in this JVM (the JIT's shared type profiles
     * then see two kinds of segment-backed buffers).
     */
    private final BlockingQueue<ByteBuffer> buffers = new ArrayBlockingQueue<>(POOLED_BUFFERS);
    private final ExecutorService parts = Executors.newThreadPerTaskExecutor(
            Thread.ofPlatform().name("partita-bulk-pull-", 0).daemon().factory());

    SegmentPuller(ObjectStore store, ClusterToken token) {
        this(store, token, Tls.off());
    }

    /** @param tls for holders whose URI is {@code https} (the parts then come over TLS, through a copy out of the socket) */
    SegmentPuller(ObjectStore store, ClusterToken token, Tls tls) {
        this.store = store;
        this.token = token;
        this.tls = tls;
    }

    /**
     * Pulls table {@code key} from the holder serving HTTP at {@code httpUri} into the store; returns its size, or -1
     * when the holder does not hold it as a table. Throws when the transfer fails (then fetch it another way).
     */
    long pull(String httpUri, String key) throws IOException {
        URI base = URI.create(httpUri);
        Part first = Part.open(base, key, 0, PARTS, token, tls, buffers);
        try {
            if (first.status == 404) {
                return -1;
            }
            first.expectOk();
            long size = first.segmentSize;
            try {
                return store.storeSegment(key, size, file -> receive(base, key, first, file));
            } catch (UncheckedIOException e) {
                throw new IOException(e.getMessage(), e.getCause());
            }
        } finally {
            first.close();
        }
    }

    /** Writes every part of the file into a temp file beside {@code file}, then renames it to {@code file}. */
    private long receive(URI base, String key, Part first, Path file) throws IOException {
        Path tmp = store.newSegmentFile(file, first.segmentSize); // a spare file whose pages exist, when there is one
        boolean moved = false;
        try {
            List<Future<?>> others = new ArrayList<>();
            try (FileChannel out = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                for (int i = 1; i < first.parts; i++) {
                    int part = i;
                    others.add(parts.submit(() -> {
                        try (Part p = Part.open(base, key, part, first.parts, token, tls, buffers)) {
                            p.expectOk();
                            if (p.segmentSize != first.segmentSize || p.parts != first.parts) {
                                throw new IOException("the holder's file of " + key + " changed during the transfer");
                            }
                            p.copyTo(out);
                        }
                        return null;
                    }));
                }
                first.copyTo(out);
                for (Future<?> other : others) {
                    await(other);
                }
                if (out.size() != first.segmentSize) {
                    throw new IOException("received " + out.size() + " of " + first.segmentSize + " bytes of " + key);
                }
            } finally {
                others.forEach(other -> other.cancel(true)); // after a failure: stop the other parts (no-op when done)
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            moved = true;
            return first.segmentSize;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void await(Future<?> part) throws IOException {
        try {
            part.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while receiving a segment", e);
        } catch (ExecutionException | CompletionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
    }

    @Override
    public void close() {
        parts.shutdownNow();
    }

    /** The holder's bulk endpoint cannot be used at all (not reachable, or refuses our token), not just for one key. */
    static final class HolderUnreachable extends IOException {
        HolderUnreachable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** One GET of one part: connected, request sent, response headers read; the body is read by {@link #copyTo}. */
    private static final class Part implements AutoCloseable {
        private final BulkConnection connection;
        private final BlockingQueue<ByteBuffer> pool;
        private final ByteBuffer buffer;
        int status;
        long segmentSize;
        long offset;
        long length;
        int parts;
        private String reason = "";

        private Part(BulkConnection connection, BlockingQueue<ByteBuffer> pool) {
            this.connection = connection;
            this.pool = pool;
            ByteBuffer pooled = pool.poll();
            this.buffer = pooled != null ? pooled.clear() : ByteBuffer.allocateDirect(BUFFER_BYTES);
        }

        static Part open(URI base, String key, int part, int parts, ClusterToken token, Tls tls, BlockingQueue<ByteBuffer> pool)
                throws IOException {
            BulkConnection connection = BulkConnection.open(base, tls);
            Part p = null;
            try {
                StringBuilder request = new StringBuilder()
                        .append("GET ").append(SegmentRoute.PATH).append("?key=").append(URLEncoder.encode(key, StandardCharsets.UTF_8))
                        .append("&part=").append(part).append("&parts=").append(parts).append(" HTTP/1.1\r\n")
                        .append("host: ").append(base.getRawAuthority()).append("\r\n")
                        .append("connection: close\r\n");
                token.headerValue().ifPresent(v -> request.append(ClusterToken.HEADER).append(": ").append(v).append("\r\n"));
                connection.write(StandardCharsets.UTF_8.encode(request.append("\r\n").toString()));
                p = new Part(connection, pool);
                p.readHeaders();
                return p;
            } catch (IOException | RuntimeException e) {
                if (p != null) {
                    p.close();
                } else {
                    connection.close();
                }
                throw e instanceof IOException io ? io
                        : new IOException("bad response from " + base + " for " + key + ": " + e.getMessage(), e);
            }
        }

        /** Reads the status line and headers; body bytes read with them stay in the buffer. */
        private void readHeaders() throws IOException {
            int end;
            while ((end = headerEnd()) < 0) {
                if (!buffer.hasRemaining() || buffer.position() >= MAX_HEADER_BYTES) {
                    throw new IOException("response headers longer than " + MAX_HEADER_BYTES + " bytes");
                }
                if (read() < 0) {
                    throw new EOFException("connection closed before the response headers");
                }
            }
            byte[] head = new byte[end];
            buffer.get(0, head);
            String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
            String[] statusLine = lines[0].split(" ", 3);
            status = Integer.parseInt(statusLine[1]);
            Map<String, String> headers = new HashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
                }
            }
            length = Long.parseLong(headers.getOrDefault("content-length", "-1"));
            if (status == 200) {
                segmentSize = Long.parseLong(headers.get(SegmentRoute.SIZE_HEADER));
                offset = Long.parseLong(headers.get(SegmentRoute.OFFSET_HEADER));
                parts = Integer.parseInt(headers.get(SegmentRoute.PARTS_HEADER));
                if (length < 0 || offset < 0 || offset + length > segmentSize || parts < 1) {
                    throw new IOException("inconsistent part: offset " + offset + ", length " + length + ", of " + segmentSize);
                }
            } else {
                reason = lines[0];
            }
            // keep the body bytes that came with the headers at the buffer's start
            buffer.flip().position(end + 4);
            buffer.compact();
        }

        /** Index of the blank line ending the headers in the buffer, or -1. */
        private int headerEnd() {
            for (int i = 0; i + 3 < buffer.position(); i++) {
                if (buffer.get(i) == '\r' && buffer.get(i + 1) == '\n' && buffer.get(i + 2) == '\r' && buffer.get(i + 3) == '\n') {
                    return i;
                }
            }
            return -1;
        }

        void expectOk() throws IOException {
            if (status == 401 || status == 403) { // a wrong token, or no client certificate under mutual TLS
                throw new HolderUnreachable("the holder refused this worker: " + reason, null);
            }
            if (status != 200) {
                throw new IOException("the holder answered " + reason);
            }
        }

        /** Writes this part's body at its offset in {@code out}. */
        void copyTo(FileChannel out) throws IOException {
            long written = 0;
            while (true) {
                buffer.flip();
                if (written + buffer.remaining() > length) {
                    throw new IOException("the holder sent more than the part's " + length + " bytes");
                }
                while (buffer.hasRemaining()) {
                    written += out.write(buffer, offset + written);
                }
                buffer.clear();
                if (written == length) {
                    return;
                }
                while (buffer.position() < BUFFER_BYTES / 2 && written + buffer.position() < length) {
                    if (read() < 0) {
                        throw new EOFException("connection closed after " + (written + buffer.position()) + " of " + length + " bytes");
                    }
                }
            }
        }

        /** Reads what is available into the buffer, waiting up to the read timeout for something; -1 at the end. */
        private int read() throws IOException {
            return connection.read(buffer);
        }

        @Override
        public void close() throws IOException {
            try (connection) {
                pool.offer(buffer); // dropped when the pool is full
            }
        }
    }
}
