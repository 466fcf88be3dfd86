package io.partita.client.table.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.table.ParquetDataset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScansTest {
    private static final long MIB = 1L << 20;

    private static ParquetDataset file(long... rowGroupBytes) {
        List<ParquetDataset.RowGroup> groups = new ArrayList<>();
        for (int i = 0; i < rowGroupBytes.length; i++) {
            groups.add(new ParquetDataset.RowGroup(i, i * 100L, 100, rowGroupBytes[i]));
        }
        return new ParquetDataset("/d", List.of(), List.of(new ParquetDataset.ParquetFile("/d/f.parquet", groups)));
    }

    private static List<String> cuts(ParquetDataset ds, long target) {
        return Scans.partitions(ds, target).stream()
                .map(p -> p.firstRowGroup() + "+" + p.rowGroups() + ":" + p.bytes() / MIB).toList();
    }

    /** TPC-H SF 10's files: 3 row groups of 62 MiB and one of 46; a greedy cut at 128 MiB made 3 + 1. */
    @Test
    void aFileIsCutIntoPartitionsOfAboutEqualSize() {
        assertThat(cuts(file(62 * MIB, 62 * MIB, 62 * MIB, 46 * MIB), 128 * MIB)).containsExactly("0+2:124", "2+2:108");
        assertThat(cuts(file(10, 10, 10, 10, 10, 10, 10, 10, 10, 10), 25)).hasSize(4);
    }

    @Test
    void aSmallFileIsOnePartitionAndATinyTargetGivesOnePerRowGroup() {
        assertThat(cuts(file(10 * MIB, 20 * MIB), 128 * MIB)).containsExactly("0+2:30");
        assertThat(cuts(file(1, 1, 1, 1, 1), 1)).hasSize(5);
        assertThat(cuts(file(300 * MIB), 128 * MIB)).containsExactly("0+1:300"); // a row group is never split
        assertThat(cuts(file(100 * MIB, 100 * MIB), 128 * MIB)).containsExactly("0+1:100", "1+1:100");
    }
}
