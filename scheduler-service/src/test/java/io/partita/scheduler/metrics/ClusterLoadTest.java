package io.partita.scheduler.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.protocol.WorkerLoad;
import io.partita.common.protocol.WorkerLoad.MemoryByTier;
import io.partita.common.protocol.WorkerLoad.TransferCounters;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterLoadTest {
    private static WorkerLoad load(String id, long segmentIn, long stored, boolean paused) {
        return new WorkerLoad(id, 1, 2, 3, stored, 0, 0, 0, new MemoryByTier(stored, 0, 0, 10, 100),
                new TransferCounters(segmentIn, 0, 0, 1, 0, 5, 0, 1, 0, 0, 0, 0, 0), paused);
    }

    @Test
    void sumsTheLatestLoads() {
        ClusterLoad totals = new ClusterLoad();
        WorkerLoad a = load("a", 10, 1000, false);
        WorkerLoad b = load("b", 20, 2000, true);
        totals.published(a);
        totals.published(b);
        WorkerLoad sum = totals.sum(List.of(a, b));
        assertThat(sum.storedBytes()).isEqualTo(3000);
        assertThat(sum.running()).isEqualTo(2);
        assertThat(sum.memory()).isEqualTo(new MemoryByTier(3000, 0, 0, 20, 200));
        assertThat(sum.transfers().segmentInBytes()).isEqualTo(30);
        assertThat(sum.transfers().spillCount()).isEqualTo(2);
    }

    @Test
    void transfersOnlyGrowWhenWorkersComeAndGo() {
        ClusterLoad totals = new ClusterLoad();
        totals.published(load("a", 10, 0, false));
        totals.published(load("a", 15, 0, false));
        totals.published(load("b", 20, 0, false));
        assertThat(totals.transfers().segmentInBytes()).isEqualTo(35);
        // a left: its counts stay; it reconnects with its own counters, which are not counted twice
        totals.published(load("a", 15, 0, false));
        totals.published(load("c", 1, 0, false));
        assertThat(totals.transfers().segmentInBytes()).isEqualTo(36);
    }
}
