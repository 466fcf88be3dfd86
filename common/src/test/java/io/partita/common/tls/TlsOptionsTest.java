package io.partita.common.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.config.PartitaDefaults;
import io.partita.common.config.TlsOptions;
import io.partita.testnet.TestCa;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** The TLS flags: off without them, the environment and YAML through PartitaDefaults, clear refusals. */
class TlsOptionsTest {
    @Command(name = "worker")
    static class Cmd {
        @Mixin
        TlsOptions tls;
    }

    @TempDir
    Path dir;

    private static TlsConfig parse(Map<String, String> env, String... args) {
        Cmd cmd = new Cmd();
        new CommandLine(cmd).setDefaultValueProvider(new PartitaDefaults("worker", env)).parseArgs(args);
        return cmd.tls.config();
    }

    @Test
    void noFlagIsTlsOff() {
        assertThat(parse(Map.of())).isEqualTo(TlsConfig.none());
        assertThat(TlsConfig.none().httpUri("127.0.0.1", 8786)).isEqualTo("http://127.0.0.1:8786");
    }

    @Test
    void flagsEnvironmentAndYamlGiveTheFiles() throws Exception {
        TestCa ca = TestCa.create("options-ca");
        Path caFile = ca.writeCertificate(dir.resolve("ca.crt"));
        TestCa.Issued node = ca.issue("node", dir, "node");

        TlsConfig flags = parse(Map.of(), "--tls-cert", node.cert().toString(), "--tls-key", node.key().toString(),
                "--tls-ca", caFile.toString(), "--tls-client-auth");
        assertThat(flags).isEqualTo(TlsConfig.server(node.cert(), node.key(), caFile, true));
        assertThat(flags.protocols()).containsExactly("TLSv1.3");
        assertThat(flags.httpUri("::1", 8786)).isEqualTo("https://[::1]:8786");
        assertThat(flags.flightUri("127.0.0.1", 8789)).isEqualTo("grpc+tls://127.0.0.1:8789");

        TlsConfig env = parse(Map.of("PARTITA_TLS_CERT", node.cert().toString(), "PARTITA_WORKER_TLS_KEY", node.key().toString(),
                "PARTITA_TLS_PROTOCOLS", "TLSv1.3,TLSv1.2"));
        assertThat(env.cert()).isEqualTo(node.cert());
        assertThat(env.ca()).isNull();
        assertThat(env.protocols()).containsExactly("TLSv1.3", "TLSv1.2");

        Path yaml = Files.writeString(dir.resolve("partita.yaml"), "tls-cert: " + node.cert() + "\nworker:\n  tls-key: "
                + node.key() + "\n  tls-ca: " + caFile + "\n  tls-client-auth: true\n");
        TlsConfig file = parse(Map.of("PARTITA_CONFIG", yaml.toString()));
        assertThat(file).isEqualTo(TlsConfig.server(node.cert(), node.key(), caFile, true));

        Cmd cmd = new Cmd();
        new CommandLine(cmd).parseArgs("--tls-cert", node.cert().toString(), "--tls-key", node.key().toString());
        assertThat(cmd.tls.args()).containsExactly("--tls-cert", node.cert().toString(), "--tls-key", node.key().toString(),
                "--tls-protocols", "TLSv1.3");
    }

    @Test
    void incompleteOrUnreadableSettingsAreRefusedNamingTheFlag() throws Exception {
        Path cert = Files.writeString(dir.resolve("c.crt"), "x");
        assertThatThrownBy(() -> parse(Map.of(), "--tls-cert", cert.toString())).isInstanceOf(CommandLine.ParameterException.class)
                .hasMessageContaining("--tls-key");
        assertThatThrownBy(() -> parse(Map.of(), "--tls-ca", cert.toString())).hasMessageContaining("--tls-ca alone");
        assertThatThrownBy(() -> parse(Map.of(), "--tls-client-auth")).hasMessageContaining("needs TLS");
        assertThatThrownBy(() -> parse(Map.of(), "--tls-cert", cert.toString(), "--tls-key", dir.resolve("none.key").toString()))
                .hasMessageContaining("--tls-key").hasMessageContaining("no such file");
        assertThatThrownBy(() -> parse(Map.of(), "--tls-cert", cert.toString(), "--tls-key", cert.toString(), "--tls-client-auth"))
                .hasMessageContaining("--tls-client-auth needs --tls-ca");
        assertThatThrownBy(() -> parse(Map.of(), "--tls-cert", cert.toString(), "--tls-key", cert.toString(), "--tls-protocols", "SSLv3"))
                .hasMessageContaining("SSLv3");
        assertThatThrownBy(() -> Tls.start(parse(Map.of(), "--tls-cert", cert.toString(), "--tls-key", cert.toString())))
                .hasMessageContaining("--tls-cert " + cert).hasMessageContaining("BEGIN CERTIFICATE");
    }
}
