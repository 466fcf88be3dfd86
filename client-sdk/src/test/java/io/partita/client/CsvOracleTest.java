package io.partita.client;

import static io.partita.client.TableOracle.assertSameRows;
import static io.partita.client.TableOracle.oracle;
import static io.partita.client.TableOracle.rows;
import static io.partita.client.table.expr.Exprs.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.PlanException;
import io.partita.client.table.plan.Plan;
import io.partita.common.data.Partition;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.arrow.memory.RootAllocator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** readCsv through the planner and the worker's engine, partition by partition, against DuckDB alone on the same files. */
class CsvOracleTest {
    private static final String COLUMNS = "{'id': 'BIGINT', 'k': 'INTEGER', 'x': 'BIGINT', 'd': 'DOUBLE', 's': 'VARCHAR', "
            + "'dt': 'DATE', 'amt': 'DECIMAL(10,2)'}";

    @TempDir Path dir;
    private final RootAllocator allocator = new RootAllocator();
    private LocalTables tables;
    private Path data;
    private String files;

    @BeforeEach
    void open() throws Exception {
        tables = new LocalTables(allocator);
        data = Files.createDirectories(dir.resolve("data"));
        files = "read_csv('" + data + "/*.csv', header = true, columns = " + COLUMNS + ")";
    }

    @AfterEach
    void close() throws Exception {
        tables.close();
        assertThat(allocator.getAllocatedMemory()).as("Arrow bytes left").isZero();
        allocator.close();
    }

    /** Rows {@code [from, to)}: nulls, strings holding the delimiter and quotes, dates, decimals; DuckDB writes the CSV. */
    static void write(Path file, long from, long to) throws Exception {
        write(file, from, to, "");
    }

    /** {@link #write(Path, long, long)} with more options of DuckDB's {@code COPY}: {@code ", COMPRESSION gzip"}. */
    static void write(Path file, long from, long to, String copyOptions) throws Exception {
        try (var c = DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement()) {
            s.execute("COPY (SELECT i::BIGINT AS id, (i % 13)::INTEGER AS k,"
                    + " CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 37 % 1000)::BIGINT END AS x,"
                    + " CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 0.25)::DOUBLE END AS d,"
                    + " CASE WHEN i % 5 = 0 THEN NULL WHEN i % 3 = 0 THEN 'say \"hi\", ' || (i % 17) ELSE 'Name, ' || (i % 17) END AS s,"
                    + " DATE '2020-01-01' + (i % 400)::INTEGER AS dt,"
                    + " CASE WHEN i % 9 = 0 THEN NULL ELSE CAST((i % 997) * 1.25 AS DECIMAL(10,2)) END AS amt"
                    + " FROM range(" + from + ", " + to + ") t(i)) TO '" + file + "' (HEADER, DELIMITER ','" + copyOptions + ")");
        }
    }

    private static CsvOptions typed() {
        LinkedHashMap<String, DataType> columns = new LinkedHashMap<>();
        columns.put("id", DataType.BIGINT);
        columns.put("k", DataType.INTEGER);
        columns.put("x", DataType.BIGINT);
        columns.put("d", DataType.DOUBLE);
        columns.put("s", DataType.VARCHAR);
        columns.put("dt", DataType.DATE);
        columns.put("amt", new DataType("DECIMAL(10,2)"));
        return CsvOptions.defaults().withColumns(columns);
    }

    /** 1: one file; 2: two files; 7: one file in seven byte ranges, each cut in the middle of a line. */
    private Frame frame(int partitions, CsvOptions options) throws Exception {
        switch (partitions) {
            case 1 -> write(data.resolve("a.csv"), 0, 5_000);
            case 2 -> {
                write(data.resolve("a.csv"), 0, 3_000);
                write(data.resolve("b.csv"), 3_000, 6_500);
            }
            case 7 -> {
                write(data.resolve("a.csv"), 0, 14_000);
                options = options.withPartitionBytes((Files.size(data.resolve("a.csv")) + 6) / 7);
            }
            default -> throw new IllegalArgumentException();
        }
        Frame frame = Frame.readCsv(tables, data.toString(), options, allocator);
        assertThat(frame.npartitions()).isEqualTo(partitions);
        return frame;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7})
    void filterWithColumnGroupByMatchesDuckDb(int partitions) throws Exception {
        Frame q = frame(partitions, typed()).filter(col("x").gt(100).and(col("s").isNotNull()))
                .withColumn("y", col("x").mul(2).add(col("d")))
                .groupBy("k").agg(Agg.sum("x"), Agg.count("d"), Agg.countAll(), Agg.mean("y"), Agg.min("s"),
                        Agg.max("dt"), Agg.sum("amt"), Agg.countDistinct("s"));
        try (Partition p = q.compute()) {
            assertSameRows(rows(p), oracle("SELECT k, CAST(sum(x) AS BIGINT), count(d), count(*), avg(x * 2 + d), min(s), "
                    + "max(dt), sum(amt), count(DISTINCT s) FROM " + files + " WHERE x > 100 AND s IS NOT NULL GROUP BY k"));
        }
        assertThat(q.explain()).contains("Scan " + data + " columns=[k, x, d, s, dt, amt] filter=")
                .contains("Stage 1: scan + filter + project + partial aggregate (" + partitions + " task")
                .contains("WITH in0 AS (CSV lines of a partition, columns [k, x, d, s, dt, amt])");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7})
    void everyRowOnceWithDetectedTypesQuotedDelimitersAndNulls(int partitions) throws Exception {
        Frame frame = frame(partitions, CsvOptions.defaults());
        String detected = "read_csv('" + data + "/*.csv')";
        assertThat(frame.schema().toString()).isEqualTo(
                "[id BIGINT, k BIGINT, x BIGINT, d DOUBLE, s VARCHAR, dt DATE, amt DOUBLE]");
        try (Partition p = frame.compute()) {
            assertSameRows(rows(p), oracle("SELECT * FROM " + detected));
        }
        assertThat(frame.count()).isEqualTo((Long) oracle("SELECT count(*) FROM " + detected).getFirst().getFirst());
        try (Partition p = frame.filter(col("s").contains("\"hi\"")).select("id", "s").compute()) {
            assertSameRows(rows(p), oracle("SELECT id, s FROM " + detected + " WHERE contains(s, '\"hi\"')"));
            assertThat(p.rowCount()).isPositive();
        }
        try (Partition head = frame.head(5)) {
            assertThat(head.rowCount()).isEqualTo(5);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 7})
    void aBroadcastJoinWithASmallCsv(int partitions) throws Exception {
        Frame frame = frame(partitions, typed());
        Path dimFile = Files.writeString(dir.resolve("dim.csv"), "k|label\n" + java.util.stream.IntStream.range(0, 10)
                .mapToObj(i -> i + "|label " + (i % 4) + "\n").reduce("", String::concat));
        Frame dim = Frame.readCsv(tables, dimFile.toString(), CsvOptions.defaults().withDelimiter("|")
                .withTypes(Map.of("k", DataType.INTEGER)), allocator);
        Frame q = frame.join(dim, "k").groupBy("label").agg(Agg.countAll(), Agg.sum("amt"));
        try (Partition p = q.compute()) {
            assertSameRows(rows(p), oracle("SELECT label, count(*), sum(amt) FROM " + files + " JOIN read_csv('" + dimFile
                    + "', delim = '|') USING (k) GROUP BY label"));
        }
        assertThat(frame.join(dim.filter(col("label").eq("label 1")), Plan.JoinType.SEMI, "k").count()).isEqualTo(
                (Long) oracle("SELECT count(*) FROM " + files + " WHERE k % 4 = 1 AND k < 10").getFirst().getFirst());
    }

    @Test
    void tinyRangesMostInsideOneLineReadEveryRowOnce() throws Exception {
        write(data.resolve("a.csv"), 0, 60);
        Frame frame = Frame.readCsv(tables, data.toString(), typed().withPartitionBytes(13), allocator);
        assertThat(frame.npartitions()).as("more ranges than lines").isGreaterThan(2 * 61);
        try (Partition p = frame.compute()) {
            assertSameRows(rows(p), oracle("SELECT * FROM " + files));
        }
    }

    @Test
    void quotedLineBreaksReadWithOnePartitionPerFile() throws Exception {
        Path file = Files.writeString(data.resolve("notes.csv"), "id,note\n1,\"two\nlines\"\n2,plain\n3,\"a, \"\"quoted\"\"\r\nbreak\"\n");
        Frame frame = Frame.readCsv(tables, file.toString(), CsvOptions.defaults().withPartitionBytes(4).withSplitFiles(false), allocator);
        assertThat(frame.npartitions()).isEqualTo(1);
        try (Partition p = frame.compute()) {
            assertSameRows(rows(p), oracle("SELECT * FROM read_csv('" + file + "')"));
            assertThat(p.rowCount()).isEqualTo(3);
        }
    }

    @Test
    void compressedFilesAreOnePartitionEachAndAFolderHoldsThemToo() throws Exception {
        write(data.resolve("z0.csv.gz"), 2_000, 3_000, ", COMPRESSION gzip");
        write(data.resolve("z1.csv.gz"), 3_000, 4_500, ", COMPRESSION gzip");
        write(data.resolve("a.csv"), 0, 2_000);
        Frame frame = Frame.readCsv(tables, data.toString(), typed().withPartitionBytes(10_000), allocator);
        long plainParts = (Files.size(data.resolve("a.csv")) + 9_999) / 10_000;
        assertThat(frame.npartitions()).as("the plain file in ranges, each compressed file one").isEqualTo((int) plainParts + 2);
        try (Partition p = frame.groupBy("k").agg(Agg.countAll(), Agg.sum("amt")).compute()) {
            assertSameRows(rows(p), oracle("SELECT k, count(*), sum(amt) FROM read_csv(['" + data + "/a.csv', '" + data
                    + "/z0.csv.gz', '" + data + "/z1.csv.gz'], header = true, columns = " + COLUMNS + ") GROUP BY k"));
        }
    }

    @Test
    void optionsNullStringsSemicolonsNoHeaderAndADateFormat() throws Exception {
        Path file = Files.writeString(data.resolve("eu.csv"), "1;NA;03/01/2020;'x; y'\n2;7;04/01/2020;NA\n3;;;''\n");
        CsvOptions options = CsvOptions.defaults().withHeader(false).withDelimiter(";").withQuote("'").withNullStrings("NA", "")
                .withDateFormat("%d/%m/%Y").withColumn("id", DataType.BIGINT).withColumn("n", DataType.INTEGER)
                .withColumn("day", DataType.DATE).withColumn("s", DataType.VARCHAR).withPartitionBytes(9);
        Frame frame = Frame.readCsv(tables, file.toString(), options, allocator);
        assertThat(frame.npartitions()).isGreaterThan(3);
        try (Partition p = frame.compute()) {
            assertSameRows(rows(p), oracle("SELECT * FROM read_csv('" + file + "', header = false, delim = ';', quote = '''', "
                    + "escape = '''', nullstr = ['NA', ''], dateformat = '%d/%m/%Y', columns = {'id': 'BIGINT', 'n': 'INTEGER', "
                    + "'day': 'DATE', 's': 'VARCHAR'})"));
            assertThat(rows(p).getFirst()).containsExactly(1L, null, java.time.LocalDate.of(2020, 1, 3), "x; y");
        }
    }

    @Test
    void badRowsNameTheFileAndTheLine() throws Exception {
        write(data.resolve("a.csv"), 0, 3_000);
        StringBuilder b = new StringBuilder(Files.readString(data.resolve("a.csv")));
        int line2500 = 0;
        for (int i = 0, lines = 0; i < b.length(); i++) {
            if (b.charAt(i) == '\n' && ++lines == 2_499) {
                line2500 = i + 1;
                break;
            }
        }
        Path bad = data.resolve("b.csv");
        Files.writeString(bad, new StringBuilder(b).insert(line2500, "1,2,3\n"));
        Frame frame = Frame.readCsv(tables, bad.toString(), typed().withPartitionBytes(20_000), allocator);
        assertThat(frame.npartitions()).isGreaterThan(4);
        assertThatThrownBy(frame::count).hasMessageContaining("CSV file " + bad + ", line 2500: Expected Number of Columns: 7 Found: 3")
                .hasMessageContaining("(the line: 1,2,3)");

        Path typo = data.resolve("c.csv");
        Files.writeString(typo, new StringBuilder(b).insert(line2500, "77,1,x,,,2020-01-01,\n"));
        Frame typed = Frame.readCsv(tables, typo.toString(), typed().withPartitionBytes(20_000), allocator);
        assertThatThrownBy(() -> typed.agg(Agg.sum("x")).compute())
                .hasMessageContaining("CSV file " + typo + ", line 2500: Error when converting column \"x\". "
                        + "Could not convert string \"x\" to 'BIGINT'");
        // the other columns of that line parse: a query that does not read x passes, as with DuckDB alone
        assertThat(typed.select("id").count()).isEqualTo(3_001);
    }

    @Test
    void badPathsEmptyFilesAndBadOptions() throws Exception {
        assertThatThrownBy(() -> Frame.readCsv(tables, data + "/nothing-*.csv", CsvOptions.defaults(), allocator))
                .hasMessageContaining("no CSV file matches '" + data + "/nothing-*.csv'");
        Path empty = Files.writeString(data.resolve("empty.csv"), "");
        assertThatThrownBy(() -> Frame.readCsv(tables, empty.toString(), CsvOptions.defaults(), allocator))
                .hasMessageContaining("cannot detect the columns of CSV file " + empty + ": it has no rows");
        Frame none = Frame.readCsv(tables, empty.toString(), typed(), allocator);
        try (Partition p = none.filter(col("x").gt(1)).compute()) {
            assertThat(p.rowCount()).isZero();
            assertThat(p.schema().getFields()).hasSize(7);
        }
        assertThat(none.count()).isZero();
        assertThatThrownBy(() -> Frame.readCsv(tables, empty.toString(), CsvOptions.defaults()
                .withColumn("id", new DataType("BIGNT")), allocator))
                .hasMessageContaining("cannot read CSV file " + empty + " with the columns [id BIGNT]")
                .hasMessageContaining("Type with name BIGNT does not exist");
        assertThatThrownBy(() -> typed().withTypes(Map.of("k", DataType.BIGINT))).isInstanceOf(PlanException.class)
                .hasMessageContaining("use one of them, not both");
        assertThatThrownBy(() -> CsvOptions.defaults().withDelimiter("\"")).isInstanceOf(PlanException.class)
                .hasMessageContaining("cannot be part of the delimiter");
        assertThatThrownBy(() -> CsvOptions.defaults().withNullStrings()).isInstanceOf(PlanException.class);
        assertThatThrownBy(() -> CsvOptions.defaults().withPartitionBytes(0)).isInstanceOf(PlanException.class);
        write(data.resolve("a.csv"), 0, 10);
        assertThatThrownBy(() -> Frame.readCsv(tables, data.resolve("a.csv").toString(), CsvOptions.defaults()
                .withTypes(Map.of("nope", DataType.BIGINT)), allocator))
                .hasMessageContaining("cannot detect the columns of CSV file " + data.resolve("a.csv"))
                .hasMessageContaining("nope");
    }
}
