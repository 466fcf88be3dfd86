package io.partita.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy on loopback in front of one of our servers that breaks connections on purpose, as a flaky network
 * does: {@link #cutAll()} resets every open connection; {@link #breakNextAnswers} makes the next answers to requests
 * whose first line starts with a prefix stop after a few bytes, with a reset (a body that fails mid-stream).
 */
public final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final int targetPort;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final AtomicInteger answersToBreak = new AtomicInteger();
    private final AtomicInteger broken = new AtomicInteger();
    private final AtomicInteger cut = new AtomicInteger();
    private volatile String breakPrefix = "";
    private final Thread acceptor;

    public CuttingProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 100, InetAddress.getLoopbackAddress());
        this.acceptor = Thread.ofPlatform().daemon().name("cutting-proxy").start(this::acceptLoop);
    }

    public String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    /** The next {@code n} answers to requests starting with {@code requestPrefix} ("GET /api/artifacts/") break. */
    public void breakNextAnswers(String requestPrefix, int n) {
        breakPrefix = requestPrefix;
        answersToBreak.set(n);
    }

    /** Answers broken so far. */
    public int broken() {
        return broken.get();
    }

    /** Connections reset by {@link #cutAll()} so far. */
    public int cut() {
        return cut.get();
    }

    /** Resets every connection open now (both sides). */
    public void cutAll() {
        for (Socket s : open) {
            if (reset(s)) {
                cut.incrementAndGet();
            }
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                open.add(client);
                open.add(upstream);
                Connection c = new Connection(client, upstream);
                Thread.ofPlatform().daemon().name("cutting-proxy-up").start(c::up);
                Thread.ofPlatform().daemon().name("cutting-proxy-down").start(c::down);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private final class Connection {
        final Socket client;
        final Socket upstream;
        volatile boolean breakAnswer;
        /** Set once the first request's first bytes have been seen (the answer pump waits for it). */
        final java.util.concurrent.CountDownLatch sniffed = new java.util.concurrent.CountDownLatch(1);

        Connection(Socket client, Socket upstream) {
            this.client = client;
            this.upstream = upstream;
        }

        void up() {
            try (InputStream in = client.getInputStream(); OutputStream out = upstream.getOutputStream()) {
                byte[] buf = new byte[64 << 10];
                boolean first = true;
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    if (first) {
                        String start = new String(buf, 0, Math.min(n, 64), StandardCharsets.ISO_8859_1);
                        breakAnswer = !breakPrefix.isEmpty() && start.startsWith(breakPrefix)
                                && answersToBreak.getAndUpdate(k -> Math.max(0, k - 1)) > 0;
                        first = false;
                        sniffed.countDown();
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // reset or closed
            } finally {
                sniffed.countDown();
                closeBoth();
            }
        }

        void down() {
            try (InputStream in = upstream.getInputStream(); OutputStream out = client.getOutputStream()) {
                byte[] buf = new byte[64 << 10];
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    sniffed.await();
                    if (breakAnswer) {
                        out.write(buf, 0, Math.min(n, 300)); // the status line and some headers, then a reset
                        out.flush();
                        broken.incrementAndGet();
                        reset(client);
                        reset(upstream);
                        return;
                    }
                    out.write(buf, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // reset or closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeBoth();
            }
        }

        void closeBoth() {
            for (Socket s : List.of(client, upstream)) {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // closing anyway
                }
                open.remove(s);
            }
        }
    }

    private boolean reset(Socket s) {
        if (s.isClosed()) {
            return false;
        }
        try {
            s.setSoLinger(true, 0);
            s.close();
        } catch (IOException ignored) {
            // closed meanwhile
        }
        open.remove(s);
        return true;
    }

    @Override
    public void close() throws IOException {
        server.close();
        cutAll();
        try {
            acceptor.join(10_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
