// Spark SQL's side of benchmarks/run-tables.sh, run on JDK 17 as a single-file program with Spark's jars on the
// class path: local[THREADS], views lineitem and part over the same Parquet files, the queries of queries.sql, each
// once as a warm-up and then ROUNDS times, the answer collected to the driver. Prints VERSION and one RESULT {json}
// line per query (see PeerProtocol.java). Usage: SparkTables DATA_DIR QUERIES_SQL ROUNDS THREADS
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

public class SparkTables {
    record Query(String name, String check, String sql) {}

    public static void main(String[] args) throws Exception {
        String data = args[0];
        List<Query> queries = read(Path.of(args[1]));
        int rounds = Integer.parseInt(args[2]);
        SparkSession spark = SparkSession.builder().master("local[" + args[3] + "]").appName("partita-tables")
                .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "" + Integer.parseInt(args[3]) * 4)
                .config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        System.out.println("VERSION Spark SQL " + spark.version() + " (local[" + args[3] + "], Java "
                + System.getProperty("java.version") + ")");
        spark.read().parquet(data + "/lineitem").createOrReplaceTempView("lineitem");
        spark.read().parquet(data + "/part").createOrReplaceTempView("part");
        for (Query q : queries) {
            spark.sql(q.sql()).collectAsList();
        }
        List<List<Double>> times = new ArrayList<>();
        List<List<Row>> answers = new ArrayList<>();
        for (Query q : queries) {
            times.add(new ArrayList<>());
            answers.add(null);
        }
        for (int r = 0; r < rounds; r++) {
            for (int i = 0; i < queries.size(); i++) {
                long start = System.nanoTime();
                answers.set(i, spark.sql(queries.get(i).sql()).collectAsList());
                times.get(i).add((System.nanoTime() - start) / 1e9);
            }
        }
        for (int i = 0; i < queries.size(); i++) {
            Query q = queries.get(i);
            double sum = 0;
            for (Row row : answers.get(i)) {
                Object v = row.get(row.fieldIndex(q.check()));
                sum += v == null ? 0 : ((Number) v).doubleValue();
            }
            System.out.println(String.format(Locale.ROOT, "RESULT {\"query\":\"%s\",\"seconds\":%s,\"rows\":%d,\"checksum\":%s}",
                    q.name(), times.get(i), answers.get(i).size(), Double.toString(sum)));
        }
        spark.stop();
    }

    /** The "-- query: NAME CHECK" blocks of queries.sql (as SqlQueries.java reads them). */
    static List<Query> read(Path file) throws Exception {
        List<Query> out = new ArrayList<>();
        String name = null;
        String check = null;
        StringBuilder sql = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("-- query: ")) {
                String[] parts = line.substring(10).strip().split("\\s+");
                name = parts[0];
                check = parts[1];
                sql.setLength(0);
            } else if (name != null && !line.startsWith("--")) {
                sql.append(line).append('\n');
                if (line.strip().endsWith(";")) {
                    out.add(new Query(name, check, sql.toString().strip().replaceAll(";$", "")));
                    name = null;
                }
            }
        }
        return out;
    }
}
