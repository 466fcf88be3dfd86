package io.partita.scheduler.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoreTest {
    @TempDir
    Path dir;

    private static byte[] jar(int size, int seed) {
        byte[] b = new byte[size];
        new java.util.Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void theLeastRecentlyUsedJarsNoLiveTaskNeedsMakeRoomButNotWithinTheirGrace() throws Exception {
        ArtifactStore store = new ArtifactStore(dir, 100);
        byte[] a = jar(40, 1);
        byte[] b = jar(40, 2);
        String shaA = ArtifactStore.sha256(a);
        String shaB = ArtifactStore.sha256(b);
        assertThat(store.store(shaA, a)).isNull();
        assertThat(store.store(shaB, b)).isNull();
        long now = System.currentTimeMillis();
        store.touch(shaB, now + 1); // b used after a

        assertThat(store.makeRoom(40, sha -> false, now + 1_000)).as("both within their grace").isEmpty();
        assertThat(store.fits(40)).isFalse();

        long later = now + ArtifactStore.GRACE_MILLIS + 10;
        assertThat(store.makeRoom(40, Set.of(shaA)::contains, later)).as("a is in use: b goes").containsExactly(shaB);
        assertThat(store.contains(shaB)).isFalse();
        assertThat(Files.exists(store.path(shaB))).isFalse();
        assertThat(store.fits(40)).isTrue();

        assertThat(store.makeRoom(90, sha -> false, later)).containsExactly(shaA);
        assertThat(store.totalBytes()).isZero();
    }

    @Test
    void jarsFoundOnDiskAtStartCount() throws Exception {
        byte[] a = jar(30, 3);
        new ArtifactStore(dir, 100).store(ArtifactStore.sha256(a), a);
        ArtifactStore again = new ArtifactStore(dir, 100);
        assertThat(again.contains(ArtifactStore.sha256(a))).isTrue();
        assertThat(again.totalBytes()).isEqualTo(30);
    }
}
