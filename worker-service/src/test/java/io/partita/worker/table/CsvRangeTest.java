package io.partita.worker.table;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.common.data.Partition;
import io.partita.common.table.CsvDataset;
import io.partita.common.table.CsvFormat;
import io.partita.common.table.InspectCsv;
import io.partita.common.table.ParquetDataset;
import io.partita.common.table.StageInput;
import io.partita.common.table.StageOutput;
import io.partita.common.table.TableStage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte-range reader: ranges cut anywhere read every line once; errors name the file and the absolute line. */
class CsvRangeTest {
    private static final List<ParquetDataset.Column> COLUMNS = List.of(new ParquetDataset.Column("id", "BIGINT"),
            new ParquetDataset.Column("s", "VARCHAR"));
    private static final CsvFormat FORMAT = new CsvFormat(true, ",", "\"", "\"", List.of(""), null, null, COLUMNS, Map.of());

    @TempDir Path dir;
    private final BufferAllocator allocator = new RootAllocator();
    private TableEngine engine;

    @BeforeEach
    void open() {
        engine = new TableEngine(2, 0, dir.resolve("spill").resolve("duckdb"));
    }

    @AfterEach
    void close() throws Exception {
        engine.close();
        assertThat(allocator.getAllocatedMemory()).as("Arrow bytes left").isZero();
        allocator.close();
        if (Files.isDirectory(dir.resolve("spill").resolve("csv-ranges"))) {
            try (var left = Files.list(dir.resolve("spill").resolve("csv-ranges"))) {
                assertThat(left).as("copies of ranges left").isEmpty();
            }
        }
    }

    private Path csv(String name, String text) throws Exception {
        return Files.writeString(dir.resolve(name), text);
    }

    private List<String> read(Path file, long start, long end) throws Exception {
        return read(file, start, end, FORMAT);
    }

    private List<String> read(Path file, long start, long end, CsvFormat format) throws Exception {
        TableStage stage = new TableStage("SELECT * FROM in0", List.of(new StageInput.Csv("in0", file.toString(), start, end,
                format, List.of("id", "s"))), new StageOutput.Table());
        try (Partition p = (Partition) engine.run(stage, List.of(), allocator)) {
            List<String> rows = new ArrayList<>();
            for (VectorSchemaRoot b : p.batches()) {
                for (int r = 0; r < b.getRowCount(); r++) {
                    List<String> row = new ArrayList<>();
                    for (FieldVector v : b.getFieldVectors()) {
                        row.add(String.valueOf(v.getObject(r)));
                    }
                    rows.add(String.join("|", row));
                }
            }
            return rows;
        }
    }

    /** Every cut of the file into two ranges, and ranges of every small size, read each line exactly once. */
    private void everyCutReadsEveryLineOnce(Path file, List<String> expected) throws Exception {
        long size = Files.size(file);
        for (long cut = 0; cut <= size; cut++) {
            List<String> rows = new ArrayList<>(read(file, 0, cut));
            rows.addAll(read(file, cut, size));
            assertThat(rows).as("cut at byte %d", cut).isEqualTo(expected);
        }
        for (long step = 1; step <= 9; step += 4) {
            List<String> rows = new ArrayList<>();
            for (long at = 0; at < size; at += step) {
                rows.addAll(read(file, at, Math.min(size, at + step)));
            }
            assertThat(rows).as("ranges of %d bytes", step).isEqualTo(expected);
        }
    }

    @Test
    void rangesStartingMidLineInsideOneLineAndTheLastOneReadEveryLineOnce() throws Exception {
        String text = "id,s\n1,one\n22,\"two, quoted\"\n333,three\n4444,\n";
        Path file = csv("a.csv", text);
        int last = text.indexOf("4444");
        List<String> all = List.of("1|one", "22|two, quoted", "333|three", "4444|null");
        assertThat(read(file, 0, Files.size(file))).isEqualTo(all);
        assertThat(read(file, 7, 9)).as("inside the line '1,one': owns nothing").isEmpty();
        assertThat(read(file, 6, 12)).as("from mid-line: the next line and the one crossing the end").containsExactly("22|two, quoted");
        assertThat(read(file, 2, 5)).as("inside the header: nothing").isEmpty();
        assertThat(read(file, 0, 3)).as("the header's range: the header, skipped").isEmpty();
        assertThat(read(file, last, Files.size(file))).as("the last range, from its line's first byte").containsExactly("4444|null");
        assertThat(read(file, last + 1, Files.size(file))).as("from the last line's second byte: nothing").isEmpty();
        everyCutReadsEveryLineOnce(file, all);
    }

    @Test
    void crlfLineEndsAndAFileWithoutATrailingNewline() throws Exception {
        List<String> all = List.of("1|one", "22|two", "333|three");
        everyCutReadsEveryLineOnce(csv("crlf.csv", "id,s\r\n1,one\r\n22,two\r\n333,three\r\n"), all);
        everyCutReadsEveryLineOnce(csv("open.csv", "id,s\n1,one\n22,two\n333,three"), all);
        CsvFormat noHeader = new CsvFormat(false, ";", "\"", "\"", List.of("NA"), null, null, COLUMNS, Map.of());
        Path semi = csv("semi.csv", "1;NA\n22;\"a;b\"\n333;c");
        long size = Files.size(semi);
        for (long cut = 0; cut <= size; cut++) {
            List<String> rows = new ArrayList<>(read(semi, 0, cut, noHeader));
            rows.addAll(read(semi, cut, size, noHeader));
            assertThat(rows).containsExactly("1|null", "22|a;b", "333|c");
        }
    }

    @Test
    void aBadRowNamesTheFileAndItsAbsoluteLine() throws Exception {
        StringBuilder text = new StringBuilder("id,s\n");
        for (int i = 0; i < 1_000; i++) {
            text.append(i).append(",v").append(i).append('\n');
            if (i == 700) {
                text.append("701,too,many\n");
            }
        }
        Path file = csv("bad.csv", text.toString());
        long size = Files.size(file);
        assertThatThrownBy(() -> read(file, size / 2, size)).isInstanceOf(TableStageException.class)
                .hasMessageContaining("CSV file " + file + ", line 703: Expected Number of Columns: 2 Found: 3")
                .hasMessageContaining("(the line: 701,too,many)").hasMessageNotContaining("csv-ranges");
        assertThatThrownBy(() -> read(file, 0, size)).hasMessageContaining("CSV file " + file + ", line 703:");
        assertThat(read(file, 0, size / 3)).hasSizeGreaterThan(100); // the ranges before it are fine

        assertThatThrownBy(() -> read(dir.resolve("gone.csv"), 0, 10)) // a worker that cannot see the file
                .hasMessageContaining("cannot read CSV file " + dir.resolve("gone.csv") + ": no such file on this worker");

        Path typed = csv("typed.csv", "id,s\n1,a\n2,b\nthree,c\n");
        assertThatThrownBy(() -> read(typed, 4, Files.size(typed)))
                .hasMessageContaining("CSV file " + typed + ", line 4: Error when converting column \"id\". "
                        + "Could not convert string \"three\" to 'BIGINT'");
    }

    @Test
    void inspectionListsFilesChecksGivenTypesAndDetectsOthers() throws Exception {
        csv("b.csv", "id,s,d\n1,x,03/01/2020\n2,y,04/01/2020\n");
        csv("a.csv", "id,s,d\n3,z,05/01/2020\n");
        CsvFormat detect = new CsvFormat(true, ",", "\"", "\"", List.of(""), null, null, List.of(), Map.of("id", "INTEGER"));
        CsvDataset ds = (CsvDataset) engine.run(new InspectCsv(dir.toString(), detect), List.of(), allocator);
        assertThat(ds.files()).extracting(CsvDataset.CsvFile::path).containsExactly(dir + "/a.csv", dir + "/b.csv");
        assertThat(ds.files().getFirst().bytes()).isEqualTo(Files.size(dir.resolve("a.csv")));
        assertThat(ds.format().columns()).extracting(c -> c.name() + " " + c.type()).containsExactly("id INTEGER",
                "s VARCHAR", "d DATE");
        assertThat(ds.format().dateFormat()).isEqualTo("%d/%m/%Y");

        CsvFormat given = new CsvFormat(true, ",", "\"", "\"", List.of(""), null, null,
                List.of(new ParquetDataset.Column("id", "int"), new ParquetDataset.Column("s", "BIGNT")), Map.of());
        assertThatThrownBy(() -> engine.run(new InspectCsv(dir + "/a.csv", given), List.of(), allocator))
                .hasMessageContaining("cannot read CSV file " + dir + "/a.csv with the columns [id int, s BIGNT]")
                .hasMessageContaining("Type with name BIGNT does not exist");
        assertThatThrownBy(() -> engine.run(new InspectCsv(dir + "/nothing-*.csv", detect), List.of(), allocator))
                .hasMessageContaining("no CSV file matches '" + dir + "/nothing-*.csv'");
        csv("c.csv", "s,id,d\r\nx,4,06/01/2020\r\n"); // the same columns in another order: read by position, so refused
        assertThatThrownBy(() -> engine.run(new InspectCsv(dir.toString(), detect), List.of(), allocator))
                .hasMessageContaining("CSV file " + dir + "/c.csv has the header 's,id,d' but " + dir + "/a.csv has 'id,s,d'");
    }

    @Test
    void anEmptyFileIsAnEmptyPartitionWithGivenTypesAndAnErrorWhenTheyMustBeDetected() throws Exception {
        Path empty = csv("empty.csv", "");
        Path header = csv("header.csv", "id,s\n");
        assertThat(read(empty, 0, 0)).isEmpty();
        assertThat(read(header, 0, Files.size(header))).isEmpty();
        CsvFormat detect = new CsvFormat(true, ",", "\"", "\"", List.of(""), null, null, List.of(), Map.of());
        for (Path p : List.of(empty, header)) {
            assertThatThrownBy(() -> engine.run(new InspectCsv(p.toString(), detect), List.of(), allocator))
                    .hasMessageContaining("cannot detect the columns of CSV file " + p + ": it has no rows");
        }
        CsvDataset ds = (CsvDataset) engine.run(new InspectCsv(empty.toString(), FORMAT), List.of(), allocator);
        assertThat(ds.files()).extracting(CsvDataset.CsvFile::bytes).containsExactly(0L);
    }
}
