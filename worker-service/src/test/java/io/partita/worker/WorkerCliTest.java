package io.partita.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class WorkerCliTest {
    private static WorkerCli parse(String... args) {
        WorkerCli cli = new WorkerCli();
        new CommandLine(cli).parseArgs(args);
        return cli;
    }

    @Test
    void aNannyByDefault() {
        assertThat(parse().nanny).isTrue();
        assertThat(parse("--nanny").nanny).isTrue();
        assertThat(parse("--no-nanny").nanny).isFalse();
    }

    @Test
    void aMemoryLimitTooSmallIsAUsageErrorNamingTheNumbers() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new WorkerCli()).setErr(new PrintWriter(err)).execute("--memory-limit", "64MiB");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--memory-limit 64MiB is 64.00 MiB, below the 256.00 MiB a worker needs");
    }

    @Test
    void noNannyWithSeveralWorkersIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new WorkerCli()).setErr(new PrintWriter(err)).execute("--no-nanny", "--nworkers", "2");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--no-nanny runs one worker in this process");
    }

    @Test
    void childrenRunOneWorkerWithoutANannyUnderTheirName() {
        WorkerCli one = parse("sched:9000", "--name", "w1", "--flight-port", "0", "--spill-dir", "/tmp/s", "--nthreads", "2");
        List<String> args = one.childArgs(0, "w1", 1 << 30);
        assertThat(args).startsWith("sched:9000").contains("--no-nanny").containsSequence("--name", "w1")
                .containsSequence("--nworkers", "1").containsSequence("--memory-limit", "" + (1 << 30))
                .containsSequence("--spill-dir", "/tmp/s").containsSequence("--nthreads", "2")
                .containsSequence("--flight-port", "0");
        WorkerCli two = parse("sched:9000", "--nworkers", "2", "--spill-dir", "/tmp/s", "--flight-port", "9100");
        assertThat(two.childArgs(1, "x-1", 0)).containsSequence("--spill-dir", Path.of("/tmp/s", "worker-1").toString())
                .containsSequence("--flight-port", "9101");
    }

    @Test
    void childrenGetTheTlsFlagsAndNoneWithoutThem() {
        assertThat(parse("sched:9000").childArgs(0, "w1", 0)).noneMatch(a -> a.startsWith("--tls-"));
        WorkerCli tls = parse("sched:9000", "--tls-cert", "/etc/p/tls.crt", "--tls-key", "/etc/p/tls.key", "--tls-ca",
                "/etc/p/ca.crt", "--tls-client-auth");
        assertThat(tls.childArgs(0, "w1", 0)).containsSequence("--tls-cert", "/etc/p/tls.crt")
                .containsSequence("--tls-key", "/etc/p/tls.key").containsSequence("--tls-ca", "/etc/p/ca.crt")
                .contains("--tls-client-auth").containsSequence("--tls-protocols", "TLSv1.3");
    }

    @Test
    void aTlsSchedulerAddressWithoutTheTlsFlagsIsAUsageError() {
        StringWriter err = new StringWriter();
        int code = new CommandLine(new WorkerCli()).setErr(new PrintWriter(err)).execute("tls://sched:8786", "--no-nanny");
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("asks for TLS: give this worker --tls-cert, --tls-key and --tls-ca");
    }
}
