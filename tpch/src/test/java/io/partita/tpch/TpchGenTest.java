package io.partita.tpch;

import static org.assertj.core.api.Assertions.assertThat;

import io.trino.tpch.TpchTable;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TpchGenTest {
    @TempDir
    Path out;

    @Test
    void writesTpchTablesWithTheGeneratorsRowCountsAndTypesAndSkipsThemTheSecondTime() throws Exception {
        Map<String, Marker> first = TpchGen.generate(0.01, List.of("lineitem", "part"), out, 10_000, 20_000, 2, quiet());

        assertThat(first.get("lineitem").rows()).isEqualTo(60_175).isEqualTo(generated(TpchTable.LINE_ITEM));
        assertThat(first.get("part").rows()).isEqualTo(2_000);
        assertThat(first.get("lineitem").files()).isEqualTo(4);
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            assertThat(single(s, "SELECT count(*) FROM read_parquet('" + out + "/lineitem/*.parquet')")).isEqualTo("60175");
            assertThat(columns(s, out + "/lineitem/part-00000.parquet")).containsSubsequence(
                    "l_orderkey BIGINT", "l_linenumber INTEGER", "l_quantity DECIMAL(15,2)", "l_extendedprice DECIMAL(15,2)",
                    "l_discount DECIMAL(15,2)", "l_returnflag VARCHAR", "l_shipdate DATE", "l_comment VARCHAR");
            // row groups of 10,000 rows, which DuckDB rounds up to whole vectors of 2,048
            assertThat(single(s, "SELECT max(row_group_num_rows) FROM parquet_metadata('" + out + "/lineitem/part-00000.parquet')"))
                    .isEqualTo("10240");
            // TPC-H's first order line, and its date range (1992-01-02 .. 1998-12-01)
            assertThat(single(s, "SELECT min(l_shipdate) || ' ' || max(l_shipdate) FROM read_parquet('" + out + "/lineitem/*.parquet')"))
                    .isEqualTo("1992-01-04 1998-11-29");
            assertThat(single(s, "SELECT sum(l_extendedprice) FROM read_parquet('" + out + "/lineitem/*.parquet')"))
                    .isEqualTo(String.valueOf(priceCents()).replaceAll("(\\d\\d)$", ".$1"));
        }

        long modified = Files.getLastModifiedTime(out.resolve("lineitem/part-00000.parquet")).toMillis();
        ByteArrayOutputStream second = new ByteArrayOutputStream();
        TpchGen.generate(0.01, List.of("lineitem"), out, 10_000, 20_000, 2, new PrintStream(second));
        assertThat(second.toString()).contains("complete already");
        assertThat(Files.getLastModifiedTime(out.resolve("lineitem/part-00000.parquet")).toMillis()).isEqualTo(modified);
    }

    private static long generated(TpchTable<?> table) {
        long n = 0;
        for (Object ignored : table.createGenerator(0.01, 1, 1)) {
            n++;
        }
        return n;
    }

    private static long priceCents() {
        long cents = 0;
        for (var row : TpchTable.LINE_ITEM.createGenerator(0.01, 1, 1)) {
            cents += row.getExtendedPriceInCents();
        }
        return cents;
    }

    private static String single(Statement s, String sql) throws Exception {
        try (ResultSet r = s.executeQuery(sql)) {
            r.next();
            return r.getString(1);
        }
    }

    private static List<String> columns(Statement s, String file) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet r = s.executeQuery("DESCRIBE SELECT * FROM read_parquet('" + file + "')")) {
            while (r.next()) {
                out.add(r.getString(1) + " " + r.getString(2));
            }
        }
        return out;
    }

    private static PrintStream quiet() {
        return new PrintStream(java.io.OutputStream.nullOutputStream());
    }
}
