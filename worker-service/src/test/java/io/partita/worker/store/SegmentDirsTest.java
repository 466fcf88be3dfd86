package io.partita.worker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentDirsTest {
    @TempDir
    Path root;

    @Test
    void removesDeadWorkersOfThisHostAndKeepsTheRest() throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        Path dead = worker("dead", gone.pid(), "host-a");
        Path alive = worker("alive", ProcessHandle.current().pid(), "host-a");
        Path otherHost = worker("other", gone.pid(), "host-b");
        Path otherContainer = worker("container", gone.pid(), "host-a", "pid:[1]"); // shares /dev/shm, not our pids
        Path sameNamespace = worker("dead-here", gone.pid(), "host-a", SegmentDirs.pidNamespace());
        Path noPid = Files.createDirectories(root.resolve("starting"));

        Path own = SegmentDirs.prepare(root, "me", "host-a");

        assertThat(dead).doesNotExist();
        assertThat(sameNamespace).doesNotExist();
        assertThat(alive).exists();
        assertThat(otherHost).exists();
        assertThat(otherContainer).exists();
        assertThat(noPid).exists();
        assertThat(own).isEqualTo(root.resolve("me"));
        assertThat(Files.readAllLines(own.resolve("pid")))
                .containsExactly(Long.toString(ProcessHandle.current().pid()), "host-a", SegmentDirs.pidNamespace());
        assertThat(SegmentDirs.pidNamespace()).startsWith("pid:[");

        SegmentDirs.deleteTree(own);
        assertThat(own).doesNotExist();
    }

    @Test
    void fallsBackToATemporaryDirectoryWithoutTheParent() {
        assertThat(SegmentDirs.resolveRoot(root.resolve("x/partita"))).isEqualTo(
                Path.of(System.getProperty("java.io.tmpdir"), "partita-shm"));
        assertThat(SegmentDirs.resolveRoot(root.resolve("partita"))).isEqualTo(root.resolve("partita"));
    }

    /** A worker's folder as workers before PID namespaces were recorded wrote it. */
    private Path worker(String id, long pid, String host) throws Exception {
        return worker(id, pid, host, null);
    }

    private Path worker(String id, long pid, String host, String pidNamespace) throws Exception {
        Path dir = Files.createDirectories(root.resolve(id));
        Files.writeString(dir.resolve("x.arrow"), "data");
        Files.writeString(dir.resolve("pid"), pid + "\n" + host + "\n" + (pidNamespace == null ? "" : pidNamespace + "\n"));
        return dir;
    }
}
