package io.partita.worker.transfer;

import io.partita.common.tls.Tls;
import io.partita.common.tls.TlsFailures;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLSocket;

/**
 * One connection of the bulk path ({@link SegmentPuller}) to a holder's HTTP port: clear text on a socket channel
 * (bytes read straight into the receive buffer), or, when the holder's URI is {@code https}, TLS on the JDK's
 * {@link SSLSocket} with the worker's {@link Tls} (the holder verified, this worker's certificate offered).
 */
abstract class BulkConnection implements AutoCloseable {
    static final int CONNECT_TIMEOUT_MS = 10_000;
    /** A read fails when no byte arrived for this long. */
    static final int READ_TIMEOUT_MS = 30_000;

    /**
     * Connects to {@code base}'s host and port.
     *
     * @throws SegmentPuller.HolderUnreachable when no connection (or no TLS session) can be made at all
     */
    static BulkConnection open(URI base, Tls tls) throws IOException {
        if ("https".equals(base.getScheme())) {
            return Secure.open(base, tls);
        }
        return Plain.open(base);
    }

    /** Writes all of {@code bytes}. */
    abstract void write(ByteBuffer bytes) throws IOException;

    /** Reads what is available into {@code into}, waiting up to the read timeout for something; -1 at the end. */
    abstract int read(ByteBuffer into) throws IOException;

    @Override
    public abstract void close() throws IOException;

    private static final class Plain extends BulkConnection {
        private final SocketChannel channel;
        private Selector selector;

        private Plain(SocketChannel channel) {
            this.channel = channel;
        }

        static Plain open(URI base) throws IOException {
            SocketChannel channel = SocketChannel.open();
            try {
                channel.socket().connect(new InetSocketAddress(base.getHost(), base.getPort()), CONNECT_TIMEOUT_MS);
                channel.socket().setTcpNoDelay(true);
            } catch (IOException e) {
                channel.close();
                throw new SegmentPuller.HolderUnreachable("cannot connect to " + base + ": " + e, e);
            }
            return new Plain(channel);
        }

        @Override
        void write(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        @Override
        int read(ByteBuffer into) throws IOException {
            if (selector == null) { // the request went out blocking; reads wait on a selector, for their timeout
                channel.configureBlocking(false);
                selector = Selector.open();
                channel.register(selector, SelectionKey.OP_READ);
            }
            int n = channel.read(into);
            while (n == 0) {
                if (selector.select(READ_TIMEOUT_MS) == 0) {
                    throw new SocketTimeoutException("no data from the holder for " + READ_TIMEOUT_MS + " ms");
                }
                selector.selectedKeys().clear();
                n = channel.read(into);
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            try (channel) {
                if (selector != null) {
                    selector.close();
                }
            }
        }
    }

    private static final class Secure extends BulkConnection {
        private final SSLSocket socket;
        private final InputStream in;
        private final OutputStream out;
        /** TLS records are at most 16 KiB of plain text: read a few at a time, then into the receive buffer. */
        private final byte[] chunk = new byte[64 << 10];

        private Secure(SSLSocket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static Secure open(URI base, Tls tls) throws IOException {
            if (!tls.enabled()) {
                throw new SegmentPuller.HolderUnreachable("the holder at " + base + " serves TLS, and this worker has no "
                        + "TLS configured (--tls-cert, --tls-key, --tls-ca)", null);
            }
            Socket raw = new Socket();
            try {
                raw.connect(new InetSocketAddress(base.getHost(), base.getPort()), CONNECT_TIMEOUT_MS);
                raw.setTcpNoDelay(true);
            } catch (IOException e) {
                raw.close();
                throw new SegmentPuller.HolderUnreachable("cannot connect to " + base + ": " + e, e);
            }
            SSLSocket socket = null;
            try {
                socket = (SSLSocket) tls.sslContext().getSocketFactory().createSocket(raw, base.getHost(), base.getPort(), true);
                socket.setSSLParameters(tls.clientParameters());
                socket.setSoTimeout(READ_TIMEOUT_MS);
                socket.startHandshake();
                return new Secure(socket);
            } catch (IOException e) {
                if (socket != null) {
                    socket.close();
                } else {
                    raw.close();
                }
                throw new SegmentPuller.HolderUnreachable(TlsFailures.explain(e, "the holder at " + base)
                        .orElse("TLS with " + base + " failed: " + e), e);
            }
        }

        @Override
        void write(ByteBuffer bytes) throws IOException {
            byte[] b = new byte[bytes.remaining()];
            bytes.get(b);
            out.write(b);
            out.flush();
        }

        @Override
        int read(ByteBuffer into) throws IOException {
            if (!into.hasRemaining()) {
                return 0;
            }
            int n = in.read(chunk, 0, Math.min(chunk.length, into.remaining())); // blocks up to the socket's timeout
            if (n > 0) {
                into.put(chunk, 0, n);
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
