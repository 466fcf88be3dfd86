package io.partita.it;

import io.partita.common.tls.Tls;
import io.partita.common.tls.TlsConfig;
import io.partita.testnet.TestCa;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A test CA made at run time and the certificates a TLS cluster needs (the scheduler's, one per worker, the
 * client's), in {@code target/tls/NAME}: nothing private is committed. {@link ClusterProcesses} passes the files to
 * the processes it starts; the harness calls them with {@link #harness()}.
 */
public final class TlsFixture {
    public final TestCa ca;
    public final Path dir;
    public final Path caFile;
    public final TestCa.Issued scheduler;
    public final TestCa.Issued client;
    /** Servers require client certificates ({@code --tls-client-auth} on the scheduler and every worker). */
    public final boolean clientAuth;
    private final java.util.Map<String, TestCa.Issued> workers = new java.util.concurrent.ConcurrentHashMap<>();
    private Tls harness;

    private TlsFixture(String name, boolean clientAuth) {
        this.dir = Path.of("target", "tls", name + "-" + Long.toHexString(System.nanoTime())).toAbsolutePath();
        this.ca = TestCa.create("partita-test-ca-" + name);
        this.caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        this.scheduler = ca.issue("scheduler", dir, "scheduler");
        this.client = ca.issue("client", dir, "client");
        this.clientAuth = clientAuth;
    }

    /** TLS on every endpoint, no client certificates asked. */
    public static TlsFixture tls(String name) {
        return new TlsFixture(name, false);
    }

    /** TLS with mutual authentication: every API, Flight and worker HTTP port requires a certificate of the CA. */
    public static TlsFixture mutual(String name) {
        return new TlsFixture(name, true);
    }

    /** The flags of a server presenting {@code issued}. */
    public List<String> serverArgs(TestCa.Issued issued) {
        List<String> args = new ArrayList<>(List.of("--tls-cert", issued.cert().toString(), "--tls-key", issued.key().toString(),
                "--tls-ca", caFile.toString()));
        if (clientAuth) {
            args.add("--tls-client-auth");
        }
        return args;
    }

    /** The certificate of worker {@code name} (made on first use, then the same files). */
    public TestCa.Issued worker(String name) {
        return workers.computeIfAbsent(name, n -> ca.issue(n, dir, n));
    }

    /** Issues new certificates into the same files (new serials), as cert-manager renews them: scheduler and workers. */
    public List<TestCa.Issued> renewAll() {
        List<TestCa.Issued> renewed = new ArrayList<>(List.of(ca.issue("scheduler", dir, "scheduler")));
        for (String name : List.copyOf(workers.keySet())) {
            TestCa.Issued next = ca.issue(name, dir, name);
            workers.put(name, next);
            renewed.add(next);
        }
        return renewed;
    }

    /** What a client of this cluster is given: the CA, and its own certificate (needed under mutual TLS). */
    public TlsConfig clientConfig() {
        return TlsConfig.client(caFile).withClientCertificate(client.cert(), client.key());
    }

    /** The harness's own TLS (health checks, the worker list, probes): the client's configuration. */
    public synchronized Tls harness() {
        if (harness == null) {
            try {
                harness = Tls.start(clientConfig());
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        return harness;
    }

    /** The serial of the certificate a new TLS connection to {@code 127.0.0.1:port} is shown. */
    public java.math.BigInteger servedSerial(int port) {
        Tls t = harness();
        try (javax.net.ssl.SSLSocket s = (javax.net.ssl.SSLSocket) t.sslContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(10_000);
            s.setSSLParameters(t.clientParameters());
            s.startHandshake();
            return ((java.security.cert.X509Certificate) s.getSession().getPeerCertificates()[0]).getSerialNumber();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("TLS handshake with 127.0.0.1:" + port + " failed: " + e, e);
        }
    }

    public synchronized void close() {
        if (harness != null) {
            harness.close();
        }
    }
}
