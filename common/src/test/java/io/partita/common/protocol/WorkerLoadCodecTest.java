package io.partita.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.codec.MessageCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the dashboard reads from workers survives the wire: loads with activity, and the thread of a finished task. */
class WorkerLoadCodecTest {
    @Test
    void aLoadWithCpuUptimePauseThresholdAndActivityRoundTrips() {
        WorkerLoad load = new WorkerLoad("w1", 2, 3, 4, 5, 6, 7, 8, new WorkerLoad.MemoryByTier(1, 2, 3, 4, 100, 80),
                new WorkerLoad.TransferCounters(1, 2, 3, 4, 5, 6, 7, 8, 9, 1.5e8, 10, 11, 12), true, 123.5, 1_000,
                List.of(new WorkerLoad.Activity(7, WorkerLoad.Activity.TRANSFER, 10, 2_000, 4096, 2, "w2"),
                        new WorkerLoad.Activity(8, WorkerLoad.Activity.SPILL, 11, 1_000, 512, 1, null)));
        WorkerLoad back = MessageCodec.fromCbor(MessageCodec.toCbor(load), WorkerLoad.class, 1 << 20);
        assertThat(back).isEqualTo(load);
        assertThat(back.activity().get(1).peer()).isEmpty();
    }

    @Test
    void aTaskDoneCarriesItsThread() {
        WorkerReport report = new WorkerReport.TasksDone(List.of(new WorkerReport.TaskDone("k-1", 8, "Integer", 5, 6, 3)));
        WorkerReport back = MessageCodec.fromCbor(MessageCodec.toCbor(report), WorkerReport.class, 1 << 20);
        assertThat(((WorkerReport.TasksDone) back).tasks().getFirst().thread()).isEqualTo(3);
    }
}
