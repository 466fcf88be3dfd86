package io.partita.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class NannyTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final PrintStream log = new PrintStream(out, true, StandardCharsets.UTF_8);

    private static Process shell(String script) throws IOException {
        return new ProcessBuilder("sh", "-c", script).start();
    }

    private Nanny nanny(Nanny.Child child, AtomicLong clock) {
        return new Nanny(List.of(child), 5, Duration.ofMinutes(5), Duration.ofSeconds(5), log, clock::get, n -> Duration.ZERO);
    }

    private String log() {
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void restartsAWorkerThatExitsForMemoryAtMostFiveTimesThenGivesUp() throws Exception {
        AtomicInteger starts = new AtomicInteger();
        Nanny nanny = nanny(new Nanny.Child("w1", () -> {
            starts.incrementAndGet();
            return shell("exit 3");
        }), new AtomicLong(1_000_000));
        assertThat(nanny.run()).isEqualTo(3);
        assertThat(starts).hasValue(6);
        assertThat(log()).contains("worker w1 exited (code 3: memory over the terminate fraction); restarting (1 of 5)")
                .contains("restarting (5 of 5)")
                .contains("worker w1 exited (code 3: memory over the terminate fraction) after 5 restarts within 5 minutes; giving up on it");
    }

    @Test
    void restartsOlderThanTheWindowDoNotCount() throws Exception {
        AtomicLong clock = new AtomicLong(0);
        AtomicInteger starts = new AtomicInteger();
        Nanny nanny = nanny(new Nanny.Child("w1", () -> {
            clock.addAndGet(Duration.ofSeconds(61).toMillis()); // one restart a minute: never 5 within 5 minutes... just
            return shell(starts.incrementAndGet() < 10 ? "kill -9 $$" : "exit 0");
        }), clock);
        assertThat(nanny.run()).isZero();
        assertThat(starts).hasValue(10);
        assertThat(log()).contains("worker w1 exited (code 137: killed by SIGKILL); restarting (1 of 5)")
                .doesNotContain("giving up").contains("worker w1 exited (code 0: stopped); not restarting it");
    }

    @Test
    void doesNotRestartConfigurationErrorsCleanStopsOrSigterm() throws Exception {
        for (String script : List.of("exit 2", "exit 0", "kill -TERM $$", "kill -INT $$")) {
            AtomicInteger starts = new AtomicInteger();
            Nanny nanny = nanny(new Nanny.Child("w1", () -> {
                starts.incrementAndGet();
                return shell(script);
            }), new AtomicLong());
            nanny.run();
            assertThat(starts).as(script).hasValue(1);
        }
        assertThat(log()).contains("code 2: configuration error or scheduler unreachable); not restarting it");
    }

    @Test
    void stopTerminatesTheChildrenAndRestartsNone() throws Exception {
        AtomicInteger starts = new AtomicInteger();
        Nanny nanny = nanny(new Nanny.Child("w1", () -> {
            starts.incrementAndGet();
            return shell("exec sleep 60");
        }), new AtomicLong());
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> {
            try {
                return nanny.run();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (nanny.running().isEmpty() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        Process child = nanny.running().get("w1");
        assertThat(child).isNotNull();
        nanny.stop();
        assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(143);
        assertThat(child.isAlive()).isFalse();
        assertThat(starts).hasValue(1);
        assertThat(log()).doesNotContain("restarting");
    }

    @Test
    void aChildNoticesThatItsNannyIsGone() throws Exception {
        Process fakeNanny = shell("exec sleep 60");
        CountDownLatch gone = new CountDownLatch(1);
        Nanny.watchNanny(fakeNanny.pid(), Duration.ofMillis(100), gone::countDown);
        assertThat(gone.await(300, TimeUnit.MILLISECONDS)).isFalse();
        fakeNanny.destroyForcibly().waitFor();
        assertThat(gone.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void describesExitCodes() {
        assertThat(Nanny.describe(3)).isEqualTo("memory over the terminate fraction");
        assertThat(Nanny.describe(137)).isEqualTo("killed by SIGKILL");
        assertThat(Nanny.describe(134)).isEqualTo("killed by SIGABRT");
        assertThat(Nanny.restartable(1)).isTrue();
        assertThat(Nanny.restartable(3)).isTrue();
        assertThat(Nanny.restartable(137)).isTrue();
        assertThat(Nanny.restartable(2)).isFalse();
        assertThat(Nanny.backoff(1)).isEqualTo(Duration.ofMillis(250));
        assertThat(Nanny.backoff(5)).isEqualTo(Duration.ofSeconds(4));
        assertThat(Nanny.backoff(50)).isEqualTo(Duration.ofSeconds(4));
    }

    @Test
    void sizesTheChildHeapAndDirectMemoryUnlessTheJvmFlagsDo() {
        long mib = 1024 * 1024;
        assertThat(Nanny.memoryFlags(512 * mib, List.of())).containsExactly("-Xmx128m", "-XX:MaxDirectMemorySize=" + 512 * mib);
        assertThat(Nanny.memoryFlags(256 * mib, List.of())).containsExactly("-Xmx128m", "-XX:MaxDirectMemorySize=" + 256 * mib);
        assertThat(Nanny.memoryFlags(8192 * mib, List.of("--add-opens=java.base/java.nio=ALL-UNNAMED")))
                .containsExactly("-Xmx2048m", "-XX:MaxDirectMemorySize=" + 8192 * mib);
        assertThat(Nanny.memoryFlags(2048 * mib, List.of("-Xmx1g"))).containsExactly("-XX:MaxDirectMemorySize=" + 2048 * mib);
        assertThat(Nanny.memoryFlags(2048 * mib, List.of("-Xmx1g", "-XX:MaxDirectMemorySize=1g"))).isEmpty();
        assertThat(Nanny.memoryFlags(0, List.of())).isEmpty();
    }
}
