package io.partita.worker.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.data.Partition;
import io.partita.common.table.InspectParquet;
import io.partita.common.table.ParquetDataset;
import io.partita.common.table.StageInput;
import io.partita.common.table.StageOutput;
import io.partita.common.table.TableStage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TableEngineTest {
    @TempDir Path dir;
    private final BufferAllocator allocator = new RootAllocator();
    private TableEngine engine;

    @AfterEach
    void close() throws Exception {
        if (engine != null) {
            engine.close();
        }
        assertThat(allocator.getAllocatedMemory()).as("Arrow bytes left").isZero();
        allocator.close();
    }

    private Path parquet(String name, int rows, int groupRows) throws Exception {
        Path file = dir.resolve(name);
        try (var c = DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement()) {
            s.execute("COPY (SELECT i::BIGINT AS id, (i % 3)::INTEGER AS k, 'v' || i AS s FROM range(" + rows + ") t(i)) TO '"
                    + file + "' (FORMAT parquet, ROW_GROUP_SIZE " + groupRows + ")");
        }
        return file;
    }

    @Test
    void inspectsAStageReadsRowGroupsAndAPartitionGoesBackInThroughTheCStream() throws Exception {
        Path file = parquet("a.parquet", 10_000, 2_048);
        engine = new TableEngine(1, 512L << 20, dir.resolve("tmp"));
        ParquetDataset ds = (ParquetDataset) engine.run(new InspectParquet(dir.toString()), List.of(), allocator);
        assertThat(ds.columns()).extracting(ParquetDataset.Column::type).containsExactly("BIGINT", "INTEGER", "VARCHAR");
        List<ParquetDataset.RowGroup> groups = ds.files().getFirst().rowGroups();
        assertThat(groups.stream().mapToLong(ParquetDataset.RowGroup::rows).sum()).isEqualTo(10_000);

        ParquetDataset.RowGroup second = groups.get(1);
        TableStage scan = new TableStage("SELECT id, k FROM in0 WHERE k = 1", List.of(new StageInput.Parquet("in0",
                file.toString(), 1, 1, second.rowStart(), second.rowStart() + second.rows(), List.of("id", "k"))),
                new StageOutput.Table());
        try (Partition part = (Partition) engine.run(scan, List.of(), allocator)) {
            long expected = java.util.stream.LongStream.range(second.rowStart(), second.rowStart() + second.rows())
                    .filter(i -> i % 3 == 1).count();
            assertThat(part.rowCount()).isEqualTo(expected);
            engine.sampleMemory();
            assertThat(engine.memoryBytes()).isNotNegative();
            TableStage sum = new TableStage("SELECT sum(id)::BIGINT AS total, count(*) AS n FROM in0",
                    List.of(new StageInput.Tables("in0", 2)), new StageOutput.Table());
            try (Partition total = (Partition) engine.run(sum, List.of(part, part), allocator)) {
                BigIntVector t = (BigIntVector) total.batches().getFirst().getVector("total");
                long want = 2 * java.util.stream.LongStream.range(second.rowStart(), second.rowStart() + second.rows())
                        .filter(i -> i % 3 == 1).sum();
                assertThat(t.get(0)).isEqualTo(want);
            }
        }
    }

    /** A combine's partials of a million rows or more are copied into a table of the task's before they are re-aggregated. */
    @Test
    void bigPartialsAreCombinedFromATableOfTheTasksAndSmallOnesFromTheirStreams() throws Exception {
        engine = new TableEngine(1, 0, null);
        String combine = "SELECT count(*)::BIGINT AS groups, sum(s)::BIGINT AS total FROM (SELECT k, sum(s) AS s FROM in0 GROUP BY k)";
        for (long rows : new long[] {1_000, StageRunner.LOAD_ROWS}) {
            try (Partition partial = (Partition) engine.run(new TableStage("SELECT (range % " + rows / 2 + ")::BIGINT AS k, "
                    + "1::BIGINT AS s FROM range(" + rows + ")", List.of(), new StageOutput.Table()), List.of(), allocator);
                 Partition out = (Partition) engine.run(new TableStage(combine, List.of(StageInput.Tables.partials("in0", 2)),
                         new StageOutput.Table()), List.of(partial, partial), allocator)) {
                var root = out.batches().getFirst();
                assertThat(((BigIntVector) root.getVector("groups")).get(0)).isEqualTo(rows / 2);
                assertThat(((BigIntVector) root.getVector("total")).get(0)).isEqualTo(2 * rows);
            }
        }
    }

    @Test
    void writesParquetUnderItsFinalNameOnlyWhenComplete() throws Exception {
        Path file = parquet("b.parquet", 100, 100);
        engine = new TableEngine(1, 0, null);
        Path out = dir.resolve("out");
        TableStage write = new TableStage("SELECT * FROM in0", List.of(new StageInput.Parquet("in0", file.toString(),
                0, 1, 0, 100, List.of("id", "s"))), new StageOutput.ParquetFile(out.toString(), "part-0.parquet"));
        assertThat(engine.run(write, List.of(), allocator)).isEqualTo(100L);
        try (var files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("part-0.parquet");
        }
    }

    @Test
    void aTruncatedFileIsNamedWhenInspectedAndACorruptedOneWhenAStageReadsIt() throws Exception {
        engine = new TableEngine(1, 0, null);
        Path good = parquet("good.parquet", 50_000, 10_000);
        byte[] bytes = Files.readAllBytes(good);
        Path truncated = Files.write(dir.resolve("truncated.parquet"), java.util.Arrays.copyOf(bytes, bytes.length / 2));
        assertThatThrownBy(() -> engine.run(new InspectParquet(truncated.toString()), List.of(), allocator))
                .hasMessageContaining("cannot read Parquet file " + truncated);
        byte[] corrupt = bytes.clone();
        for (int i = 64; i < bytes.length / 2; i++) {
            corrupt[i] = (byte) 0x5a; // the data pages, not the footer: inspection passes, reading fails
        }
        Path bad = Files.write(dir.resolve("corrupt.parquet"), corrupt);
        ParquetDataset ds = (ParquetDataset) engine.run(new InspectParquet(bad.toString()), List.of(), allocator);
        TableStage read = new TableStage("SELECT sum(id) AS total, max(s) AS m FROM in0", List.of(new StageInput.Parquet("in0",
                bad.toString(), 0, ds.files().getFirst().rowGroups().size(), 0, 50_000, List.of("id", "s"))),
                new StageOutput.Table());
        assertThatThrownBy(() -> engine.run(read, List.of(), allocator)).isInstanceOf(TableStageException.class)
                .hasMessageContaining("reading " + bad).hasMessageContaining("Failed to read file");
        // the same stage over the good file runs: the failure was the file's
        TableStage readGood = new TableStage(read.sql(), List.of(new StageInput.Parquet("in0", good.toString(), 0, 5, 0,
                50_000, List.of("id", "s"))), new StageOutput.Table());
        try (Partition p = (Partition) engine.run(readGood, List.of(), allocator)) {
            assertThat(p.rowCount()).isEqualTo(1);
        }
    }

    @Test
    void aGlobMatchingNothingAndAFileThatIsNotParquetAreNamed() throws Exception {
        engine = new TableEngine(1, 0, null);
        assertThatThrownBy(() -> engine.run(new InspectParquet(dir + "/*.parquet"), List.of(), allocator))
                .hasMessageContaining("no Parquet file matches '" + dir + "/*.parquet'");
        Path bad = Files.writeString(dir.resolve("bad.parquet"), "not parquet at all");
        assertThatThrownBy(() -> engine.run(new InspectParquet(bad.toString()), List.of(), allocator))
                .hasMessageContaining("cannot read Parquet file " + bad);
    }
}
