package io.partita.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.testnet.TestCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM keys in the forms tools write, the check that a key belongs to its certificate, and errors that name the file. */
class PemFilesTest {
    private static final TestCa CA = TestCa.create("pem-test-ca");

    @TempDir
    Path dir;

    @Test
    void readsPkcs8AndTraditionalKeysOfRsaAndEc() throws IOException {
        for (TestCa.KeyType type : TestCa.KeyType.values()) {
            for (TestCa.KeyFormat format : TestCa.KeyFormat.values()) {
                TestCa.Issued issued = CA.issue("node", dir.resolve(type + "-" + format + ".crt"),
                        dir.resolve(type + "-" + format + ".key"), type, format);
                String pem = Files.readString(issued.key());
                assertThat(pem).contains(format == TestCa.KeyFormat.PKCS8 ? "BEGIN PRIVATE KEY"
                        : type == TestCa.KeyType.RSA ? "BEGIN RSA PRIVATE KEY" : "BEGIN EC PRIVATE KEY");
                PrivateKey key = PemFiles.privateKey(issued.key(), "--tls-key");
                X509Certificate cert = PemFiles.certificates(issued.cert(), "--tls-cert").getFirst();
                assertThat(key.getAlgorithm()).as(type + " " + format).isEqualTo(type.name());
                assertThat(PemFiles.matches(key, cert)).as(type + " " + format).isTrue();
            }
        }
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothFiles() {
        TestCa.Issued a = CA.issue("a", dir, "a");
        TestCa.Issued b = CA.issue("b", dir, "b");
        TlsConfig mixed = TlsConfig.server(a.cert(), b.key(), null, false);
        assertThatThrownBy(() -> TlsMaterial.read(mixed, 1)).isInstanceOf(IOException.class)
                .hasMessageContaining("is not the key of the certificate").hasMessageContaining(a.cert().toString())
                .hasMessageContaining(b.key().toString());
    }

    @Test
    void aFileWithoutPemOrMissingIsNamed() throws IOException {
        Path text = Files.writeString(dir.resolve("not.pem"), "hello");
        assertThatThrownBy(() -> PemFiles.certificates(text, "--tls-ca")).hasMessageContaining("--tls-ca " + text)
                .hasMessageContaining("BEGIN CERTIFICATE");
        assertThatThrownBy(() -> PemFiles.privateKey(text, "--tls-key")).hasMessageContaining("--tls-key " + text);
        assertThatThrownBy(() -> PemFiles.privateKey(dir.resolve("gone.key"), "--tls-key")).hasMessageContaining("no such file");
        Path encrypted = Files.writeString(dir.resolve("enc.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> PemFiles.privateKey(encrypted, "--tls-key")).hasMessageContaining("encrypted");
    }

    @Test
    void aCaBundleGivesEveryCertificate() throws IOException {
        TestCa other = TestCa.create("other-ca");
        Path bundle = dir.resolve("bundle.pem");
        Files.writeString(bundle, Files.readString(CA.writeCertificate(dir.resolve("ca1.pem"))) + "some comment\n"
                + Files.readString(other.writeCertificate(dir.resolve("ca2.pem"))));
        assertThat(PemFiles.certificates(bundle, "--tls-ca")).hasSize(2);
    }
}
