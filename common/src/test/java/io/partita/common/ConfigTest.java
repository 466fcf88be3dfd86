package io.partita.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.auth.ClusterToken;
import io.partita.common.config.ByteSize;
import io.partita.common.config.PartitaDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

class ConfigTest {
    @Command(name = "worker")
    static class Opts {
        @Option(names = "--nthreads", defaultValue = "1") int nthreads;
        @Option(names = "--auth-token") String token;
        @Option(names = "--memory-limit", defaultValue = "auto") String memory;
    }

    @Test
    void byteSizesParseLikeDasks() {
        assertThat(ByteSize.parse("4GiB")).isEqualTo(4L << 30);
        assertThat(ByteSize.parse("512 MiB")).isEqualTo(512L << 20);
        assertThat(ByteSize.parse("1.5GB")).isEqualTo(1_500_000_000L);
        assertThat(ByteSize.parse("1024")).isEqualTo(1024);
        assertThatThrownBy(() -> ByteSize.parse("4 parsecs")).hasMessageContaining("unknown unit");
        assertThat(ByteSize.format(3L << 30)).isEqualTo("3.00 GiB");
    }

    @Test
    void flagsBeatEnvironmentWhichBeatsTheFileWhichBeatsDefaults(@TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("partita.yaml");
        Files.writeString(yaml, "worker:\n  nthreads: 3\n  memory-limit: 1GiB\n");
        Map<String, String> env = Map.of("PARTITA_CONFIG", yaml.toString(), "PARTITA_WORKER_NTHREADS", "5",
                "PARTITA_AUTH_TOKEN", "s3cret");

        Opts fromEnv = new Opts();
        new CommandLine(fromEnv).setDefaultValueProvider(new PartitaDefaults("worker", env)).parseArgs();
        assertThat(fromEnv.nthreads).isEqualTo(5);
        assertThat(fromEnv.token).isEqualTo("s3cret");
        assertThat(fromEnv.memory).isEqualTo("1GiB");

        Opts fromFlags = new Opts();
        new CommandLine(fromFlags).setDefaultValueProvider(new PartitaDefaults("worker", env)).parseArgs("--nthreads", "7");
        assertThat(fromFlags.nthreads).isEqualTo(7);
    }

    static class Shared {
        @Option(names = "--host", defaultValue = "127.0.0.1") String host;
    }

    @Command(name = "worker")
    static class WithMixin {
        @picocli.CommandLine.Mixin Shared shared;
        @Option(names = "--nthreads", defaultValue = "1") int nthreads;
    }

    private static String usageError(Object command, Map<String, String> env) {
        java.io.StringWriter err = new java.io.StringWriter();
        int code = new CommandLine(command).setDefaultValueProvider(new PartitaDefaults("worker", env))
                .setErr(new java.io.PrintWriter(err)).execute();
        assertThat(code).as("exit code of " + err).isEqualTo(2);
        return err.toString();
    }

    @Test
    void anUnknownKeyInTheFileIsAUsageErrorNamingItAndTheNearestKnownOne(@TempDir Path dir) throws Exception {
        Path yaml = Files.writeString(dir.resolve("partita.yaml"), "worker:\n  nthread: 3\n");
        assertThat(usageError(new WithMixin(), Map.of("PARTITA_CONFIG", yaml.toString())))
                .contains("'worker.nthread' is not an option of partita worker: did you mean 'nthreads'?");
        Files.writeString(yaml, "worker:\n  host: 10.0.0.1\nauth-tokn: x\n");
        assertThat(usageError(new WithMixin(), Map.of("PARTITA_CONFIG", yaml.toString())))
                .contains("'auth-tokn' is neither an option nor a section (scheduler, worker, local): did you mean 'auth-token'?");
        // another command's section and a shared option at the top level are fine for this one
        Files.writeString(yaml, "scheduler:\n  hazelcast-port: 5702\nworker:\n  host: 10.0.0.2\nauth-token: x\n");
        WithMixin ok = new WithMixin();
        new CommandLine(ok).setDefaultValueProvider(new PartitaDefaults("worker", Map.of("PARTITA_CONFIG", yaml.toString())))
                .parseArgs();
        assertThat(ok.shared.host).isEqualTo("10.0.0.2");
    }

    @Test
    void aMissingConfigFileIsAUsageErrorNamingIt(@TempDir Path dir) {
        String missing = dir.resolve("nope.yaml").toString();
        assertThat(usageError(new WithMixin(), Map.of("PARTITA_CONFIG", missing)))
                .contains("the configuration file " + missing + " named by PARTITA_CONFIG does not exist");
    }

    @Test
    void tokenChecksTheBearerHeader() {
        ClusterToken token = ClusterToken.of("abc");
        assertThat(token.accepts("Bearer abc")).isTrue();
        assertThat(token.accepts("Bearer abd")).isFalse();
        assertThat(token.accepts(null)).isFalse();
        assertThat(ClusterToken.none().accepts(null)).isTrue();
        assertThat(token.toString()).doesNotContain("abc");
    }
}
