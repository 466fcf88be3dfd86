package io.partita.common.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * One reading of a process's TLS files: its key and certificate chain (none for a client without one) and the trust
 * manager of its CA file (or the JVM's trust store). Immutable; {@link Tls} swaps in a new one when the files change.
 *
 * @param alias the name handshakes know this key by ({@code partita-<generation>}), so that a handshake that chose it
 *              gets this key and this chain even when a newer reading came in between
 */
record TlsMaterial(String alias, PrivateKey key, X509Certificate[] chain, X509ExtendedTrustManager trust) {

    /** Reads and checks every file of {@code config}; the key must belong to the first certificate of the chain. */
    static TlsMaterial read(TlsConfig config, long generation) throws IOException {
        PrivateKey key = null;
        X509Certificate[] chain = null;
        if (config.hasCertificate()) {
            chain = PemFiles.certificates(config.cert(), "--tls-cert").toArray(X509Certificate[]::new);
            key = PemFiles.privateKey(config.key(), "--tls-key");
            if (!PemFiles.matches(key, chain[0])) {
                throw new IOException("--tls-key " + config.key() + " is not the key of the certificate in --tls-cert "
                        + config.cert() + " (" + chain[0].getSubjectX500Principal() + ")");
            }
        }
        return new TlsMaterial("partita-" + generation, key, chain, trustManager(config.ca()));
    }

    private static X509ExtendedTrustManager trustManager(Path ca) throws IOException {
        try {
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (ca == null) {
                factory.init((KeyStore) null); // the JVM's trust store (cacerts, or javax.net.ssl.trustStore)
            } else {
                List<X509Certificate> authorities = PemFiles.certificates(ca, "--tls-ca");
                KeyStore store = KeyStore.getInstance("PKCS12");
                store.load(null, null);
                for (int i = 0; i < authorities.size(); i++) {
                    store.setCertificateEntry("ca-" + i, authorities.get(i));
                }
                factory.init(store);
            }
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IOException("no X.509 trust manager in this JVM");
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a trust store from " + (ca == null ? "the JVM's" : "--tls-ca " + ca) + ": " + e.getMessage(), e);
        }
    }

    /** SHA-256 over the files' contents: what the watcher compares to see a change (a rename, a symlink swap, a write). */
    static String fingerprint(TlsConfig config) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Path p : new Path[] {config.cert(), config.key(), config.ca()}) {
            if (p != null) {
                digest.update(Files.readAllBytes(p));
            }
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** For logs: subject, serial and end of validity of this process's certificate. */
    String describe() {
        if (chain == null) {
            return "no certificate of its own";
        }
        X509Certificate leaf = chain[0];
        return leaf.getSubjectX500Principal().getName() + " (serial " + leaf.getSerialNumber().toString(16)
                + ", valid until " + leaf.getNotAfter().toInstant() + ")";
    }
}
