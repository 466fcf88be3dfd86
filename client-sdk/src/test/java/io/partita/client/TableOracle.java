package io.partita.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.partita.common.data.Partition;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/** Test data made by DuckDB, the same queries run by single-process DuckDB, and rows compared. */
final class TableOracle {
    private TableOracle() {}

    /** Rows {@code [from, to)}: nulls in x, d, s, amt and ts, strings, dates, decimals, timestamps; {@code groupRows} rows per row group. */
    static void write(Path file, long from, long to, int groupRows) throws Exception {
        write(file, from, to, groupRows, false);
    }

    /** With {@code skewed}, key 0 has about 80% of the rows. */
    static void write(Path file, long from, long to, int groupRows, boolean skewed) throws Exception {
        String k = skewed ? "(CASE WHEN i % 10 < 8 THEN 0 ELSE i % 13 END)" : "(i % 13)";
        try (var c = DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement()) {
            s.execute("COPY (SELECT i::BIGINT AS id, " + k + "::INTEGER AS k,"
                    + " CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 37 % 1000)::BIGINT END AS x,"
                    + " CASE WHEN i % 11 = 0 THEN NULL ELSE (i * 0.25)::DOUBLE END AS d,"
                    + " CASE WHEN i % 5 = 0 THEN NULL ELSE 'Name_' || (i % 17) END AS s,"
                    + " DATE '2020-01-01' + (i % 400)::INTEGER AS dt,"
                    + " CASE WHEN i % 9 = 0 THEN NULL ELSE CAST((i % 997) * 1.25 AS DECIMAL(10,2)) END AS amt,"
                    + " CASE WHEN i % 6 = 0 THEN NULL ELSE TIMESTAMP '2020-01-01 00:00:00' + to_microseconds(i * 3607000123) END AS ts"
                    + " FROM range(" + from + ", " + to + ") t(i)) TO '" + file + "' (FORMAT parquet, ROW_GROUP_SIZE "
                    + groupRows + ")");
        }
    }

    static List<List<Object>> oracle(String sql) throws Exception {
        List<List<Object>> rows = new ArrayList<>();
        try (var c = DriverManager.getConnection("jdbc:duckdb:"); var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    row.add(normal(rs.getObject(i)));
                }
                rows.add(row);
            }
        }
        return sorted(rows);
    }

    static List<List<Object>> rows(Partition p) {
        List<List<Object>> rows = new ArrayList<>();
        for (VectorSchemaRoot b : p.batches()) {
            for (int r = 0; r < b.getRowCount(); r++) {
                List<Object> row = new ArrayList<>();
                for (FieldVector v : b.getFieldVectors()) {
                    Object o = v.getObject(r);
                    row.add(v instanceof DateDayVector && o != null ? LocalDate.ofEpochDay((Integer) o) : normal(o));
                }
                rows.add(row);
            }
        }
        return sorted(rows);
    }

    private static Object normal(Object o) {
        return switch (o) {
            case null -> null;
            case Integer i -> i.longValue();
            case Short i -> i.longValue();
            case BigInteger i -> i.longValueExact();
            case BigDecimal d -> d.stripTrailingZeros(); // decimals compare exactly
            case Float f -> f.doubleValue();
            case java.sql.Date d -> d.toLocalDate();
            case java.sql.Timestamp t -> t.toLocalDateTime();
            case java.time.LocalDateTime t -> t;
            case java.time.OffsetDateTime t -> t.toLocalDateTime();
            case org.apache.arrow.vector.util.Text t -> t.toString();
            case Long l -> l;
            case Double d -> d;
            case Boolean b -> b;
            case String s -> s;
            case LocalDate d -> d;
            default -> o.toString();
        };
    }

    private static List<List<Object>> sorted(List<List<Object>> rows) {
        rows.sort(Comparator.comparing(TableOracle::sortKey));
        return rows;
    }

    private static String sortKey(List<Object> row) {
        StringBuilder b = new StringBuilder();
        for (Object o : row) {
            b.append(o instanceof Double d ? String.format("%.6g", d) : String.valueOf(o)).append('\u0001');
        }
        return b.toString();
    }

    /** Equal row by row: exact for everything but doubles, which may differ in summation order. */
    static void assertSameRows(List<List<Object>> actual, List<List<Object>> expected) {
        assertThat(actual).as("row count").hasSize(expected.size());
        for (int r = 0; r < expected.size(); r++) {
            List<Object> a = actual.get(r);
            List<Object> e = expected.get(r);
            assertThat(a).as("row %d width", r).hasSize(e.size());
            for (int c = 0; c < e.size(); c++) {
                if (e.get(c) instanceof Double d && a.get(c) instanceof Double x) {
                    assertThat(x).as("row %d column %d", r, c).isCloseTo(d, org.assertj.core.data.Offset.offset(1e-9 * Math.max(1, Math.abs(d))));
                } else {
                    assertThat(a.get(c)).as("row %d column %d of %s vs %s", r, c, a, e).isEqualTo(e.get(c));
                }
            }
        }
    }
}
