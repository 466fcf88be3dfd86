package io.partita.client.table.plan;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.table.CsvDataset;
import io.partita.common.table.CsvFormat;
import io.partita.common.table.ParquetDataset;
import io.partita.common.table.StageInput;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Cutting CSV files into byte ranges from their sizes alone. */
class CsvScansTest {
    private static final CsvFormat FORMAT = new CsvFormat(true, ",", "\"", "\"", List.of(""), null, null,
            List.of(new ParquetDataset.Column("id", "BIGINT")), Map.of());

    private static CsvDataset files(long... sizes) {
        List<CsvDataset.CsvFile> files = new java.util.ArrayList<>();
        for (int i = 0; i < sizes.length; i++) {
            files.add(new CsvDataset.CsvFile("/d/f" + i + ".csv", sizes[i]));
        }
        return new CsvDataset("/d", FORMAT, files);
    }

    private static List<String> ranges(Plan.Scan scan) {
        return scan.partitions().stream().map(p -> p.file() + "[" + p.csv().start() + "," + p.csv().end() + ")").toList();
    }

    @Test
    void equalRangesPerFileNeverAcrossFilesAndEmptyFilesSkipped() {
        Plan.Scan scan = CsvScans.scan(files(250, 0, 100), 100, true);
        assertThat(ranges(scan)).containsExactly("/d/f0.csv[0,83)", "/d/f0.csv[83,166)", "/d/f0.csv[166,250)",
                "/d/f2.csv[0,100)");
        assertThat(scan.partitions()).extracting(ScanPartition::bytes).containsExactly(83L, 83L, 84L, 100L);
        assertThat(scan.schema().toString()).isEqualTo("[id BIGINT]");
        assertThat(scan.partitions().getFirst().input("in0", List.of("id"))).isEqualTo(
                new StageInput.Csv("in0", "/d/f0.csv", 0, 83, FORMAT, List.of("id")));
    }

    @Test
    void oneRangePerFileWhenNotSplitAndOneEmptyPartitionForOnlyEmptyFiles() {
        assertThat(ranges(CsvScans.scan(files(250, 40), 100, false))).containsExactly("/d/f0.csv[0,250)", "/d/f1.csv[0,40)");
        assertThat(ranges(CsvScans.scan(files(0, 0), 100, true))).containsExactly("/d/f0.csv[0,0)");
        long huge = 1L << 50; // no overflow cutting a large file into many ranges
        List<ScanPartition> parts = CsvScans.scan(files(huge), huge / 4_096 + 1, true).partitions();
        assertThat(parts).hasSize(4_096);
        assertThat(parts.getLast().csv().end()).isEqualTo(huge);
        for (int i = 1; i < parts.size(); i++) {
            assertThat(parts.get(i).csv().start()).isEqualTo(parts.get(i - 1).csv().end());
        }
    }
}
