package io.partita.tpch;

import io.trino.tpch.TpchTable;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.duckdb.DuckDBConnection;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tpch-gen}: TPC-H tables as folders of Parquet files, offline (benchmarks/tpch-gen.sh). */
@Command(name = "tpch-gen", mixinStandardHelpOptions = true,
        description = "Writes TPC-H tables as OUT/<table>/part-NNNNN.parquet; a table whose folder is complete for the "
                + "same parameters is skipped.")
public final class TpchGen implements Callable<Integer> {
    @Option(names = "--scale", defaultValue = "1", description = "TPC-H scale factor (1: lineitem has 6 M rows); default ${DEFAULT-VALUE}")
    double scale;

    @Option(names = "--tables", split = ",", defaultValue = "lineitem,part",
            description = "tables, comma-separated (lineitem, orders, part, partsupp, customer, supplier, nation, region, or all); default ${DEFAULT-VALUE}")
    List<String> tables;

    @Option(names = "--out", required = true, description = "output folder (one folder per table in it)")
    Path out;

    @Option(names = "--rows-per-group", defaultValue = "1000000", description = "Parquet row group size; default ${DEFAULT-VALUE}")
    long rowsPerGroup;

    @Option(names = "--rows-per-file", defaultValue = "4000000", description = "about this many rows per file; default ${DEFAULT-VALUE}")
    long rowsPerFile;

    @Option(names = "--threads", description = "files generated side by side; default: the machine's cores")
    int threads = Runtime.getRuntime().availableProcessors();

    public static void main(String[] args) {
        System.exit(new CommandLine(new TpchGen()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Map<String, Marker> written = generate(scale, tables, out, rowsPerGroup, rowsPerFile, threads, System.out);
        written.forEach((t, m) -> System.out.printf(Locale.ROOT, "%s: %,d rows in %d files under %s%n", t, m.rows(), m.files(),
                out.resolve(t)));
        return 0;
    }

    /** Writes {@code tables} at {@code scale} under {@code out}; each table's marker, in order. */
    public static Map<String, Marker> generate(double scale, List<String> tables, Path out, long rowsPerGroup,
                                               long rowsPerFile, int threads, java.io.PrintStream progress) throws Exception {
        Layout layout = new Layout(scale, rowsPerGroup, rowsPerFile);
        Map<String, Marker> written = new java.util.LinkedHashMap<>();
        try (DuckDBConnection db = (DuckDBConnection) DriverManager.getConnection("jdbc:duckdb:")) {
            try (Statement s = db.createStatement()) {
                s.execute("SET threads = " + Math.max(1, threads));
                s.execute("SET preserve_insertion_order = true");
            }
            TableWriter writer = new TableWriter(db, layout, Math.max(1, threads), progress);
            for (TpchTable<?> table : resolve(tables)) {
                written.put(table.getTableName(), writer.write(table, out.resolve(table.getTableName())));
            }
        }
        return written;
    }

    static List<TpchTable<?>> resolve(List<String> names) {
        List<TpchTable<?>> out = new ArrayList<>();
        for (String n : names) {
            String name = n.strip().toLowerCase(Locale.ROOT);
            if (name.equals("all")) {
                return TpchTable.getTables();
            }
            try {
                out.add(TpchTable.getTable(name));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(new CommandLine(new TpchGen()), "no TPC-H table " + n
                        + "; tables: " + TpchTable.getTables().stream().map(TpchTable::getTableName).toList());
            }
        }
        return out;
    }
}
