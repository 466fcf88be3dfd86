package io.partita.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.tls.TlsConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** How a client asks for TLS: a TLS scheme in the address, a CA file, a client certificate; clear text otherwise. */
class ClientOptionsTlsTest {
    @Test
    void clearTextUnlessAskedFor() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv(ClientOptions.TLS_CA_ENV) == null);
        assertThat(ClientOptions.of("sched:8786").tls()).isEqualTo(TlsConfig.none());
        assertThat(ClientOptions.of("http://sched:8786").tls().enabled()).isFalse();
        assertThat(new ClientOptions("sched", null, null, null).tls()).isEqualTo(TlsConfig.none());
    }

    @Test
    void aTlsSchemeTurnsTlsOnWithTheJvmsTrustStore() {
        org.junit.jupiter.api.Assumptions.assumeTrue(System.getenv(ClientOptions.TLS_CA_ENV) == null);
        for (String address : new String[] {"tls://sched:8786", "https://sched", "wss://sched:8786/"}) {
            ClientOptions o = ClientOptions.of(address);
            assertThat(o.tls().enabled()).as(address).isTrue();
            assertThat(o.tls().ca()).as(address).isNull();
            assertThat(o.hostPort()).as(address).isEqualTo("sched:8786");
        }
    }

    @Test
    void aCaFileAndAClientCertificate() {
        ClientOptions o = ClientOptions.of("sched:8786").withTlsCa(Path.of("/etc/p/ca.crt"))
                .withTlsClientCertificate(Path.of("/etc/p/me.crt"), Path.of("/etc/p/me.key")).withToken("t");
        assertThat(o.tls()).isEqualTo(TlsConfig.client(Path.of("/etc/p/ca.crt"))
                .withClientCertificate(Path.of("/etc/p/me.crt"), Path.of("/etc/p/me.key")));
        assertThat(o.tls().httpScheme()).isEqualTo("https");
        assertThat(o.withTls(TlsConfig.none()).tls().enabled()).isFalse();
        assertThat(o.toString()).contains("TLS").doesNotContain("=t,");
    }
}
