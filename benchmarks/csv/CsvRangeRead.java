import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * How a worker should hand DuckDB a byte range of a CSV file (read_csv cannot start at an offset): read the whole
 * file (the floor), copy each range into a scratch file with FileChannel.transferTo, or stream it through a named
 * pipe. Single-file program, run by run-csv-range.sh; prints the median of 5 rounds for each way.
 */
public class CsvRangeRead {
    static final String COLUMNS = "columns = {'id': 'BIGINT', 'k': 'INTEGER', 'x': 'BIGINT', 'd': 'DOUBLE', 's': 'VARCHAR', "
            + "'dt': 'DATE', 'amt': 'DECIMAL(10,2)'}, auto_detect = false, delim = ',', quote = '\"', escape = '\"'";

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("csv-range-read");
        long rows = args.length > 0 ? Long.parseLong(args[0]) : 2_500_000;
        Path file = dir.resolve("data.csv");
        String version;
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT version()")) {
                rs.next();
                version = rs.getString(1);
            }
            s.execute("COPY (SELECT i::BIGINT AS id, (i % 13)::INTEGER AS k, CASE WHEN i % 7 = 0 THEN NULL ELSE (i * 37 % 1000)::BIGINT END AS x,"
                    + " (i * 0.25)::DOUBLE AS d, 'Name, ' || (i % 17) AS s, DATE '2020-01-01' + (i % 400)::INTEGER AS dt,"
                    + " CAST((i % 997) * 1.25 AS DECIMAL(10,2)) AS amt FROM range(" + rows + ") t(i)) TO '" + file + "' (HEADER)");
        }
        System.out.printf("file: %d rows, %d MiB; DuckDB %s; java %s%n", rows, Files.size(file) >> 20,
                version, System.getProperty("java.version"));
        for (int threads : new int[] {1, 2}) {
            for (int parts : new int[] {1, 4}) {
                try (Connection c = DriverManager.getConnection("jdbc:duckdb:")) {
                    try (Statement s = c.createStatement()) {
                        s.execute("SET threads = " + threads);
                    }
                    List<Long> whole = new ArrayList<>(), copy = new ArrayList<>(), copyOnly = new ArrayList<>(), fifo = new ArrayList<>();
                    for (int round = 0; round < 5; round++) {
                        long t0 = System.nanoTime();
                        check(rows, count(c, file, true));
                        whole.add(System.nanoTime() - t0);
                        long[] copied = new long[1];
                        t0 = System.nanoTime();
                        check(rows, ranges(c, file, dir, parts, false, copied));
                        copy.add(System.nanoTime() - t0);
                        copyOnly.add(copied[0]);
                        t0 = System.nanoTime();
                        check(rows, ranges(c, file, dir, parts, true, copied));
                        fifo.add(System.nanoTime() - t0);
                    }
                    System.out.printf("threads=%d ranges=%d  whole file %4d ms | copies %4d ms (of which copying %3d ms) | named pipes %4d ms%n",
                            threads, parts, median(whole), median(copy), median(copyOnly), median(fifo));
                }
            }
        }
        try (var files = Files.list(dir)) {
            for (Path p : files.toList()) {
                Files.delete(p);
            }
        }
        Files.delete(dir);
    }

    static long ranges(Connection c, Path file, Path dir, int parts, boolean pipe, long[] copyNanos) throws Exception {
        long total = 0;
        copyNanos[0] = 0;
        try (FileChannel ch = FileChannel.open(file)) {
            long size = ch.size();
            for (int p = 0; p < parts; p++) {
                long begin = lineStart(ch, size * p / parts);
                long end = lineStart(ch, size * (p + 1) / parts);
                Path range = dir.resolve("range-" + p + (pipe ? ".fifo" : ".csv"));
                if (pipe) {
                    new ProcessBuilder("mkfifo", range.toString()).start().waitFor();
                    Thread writer = Thread.ofPlatform().start(() -> copy(ch, begin, end, range));
                    total += count(c, range, p == 0);
                    writer.join();
                } else {
                    long t0 = System.nanoTime();
                    copy(ch, begin, end, range);
                    copyNanos[0] += System.nanoTime() - t0;
                    total += count(c, range, p == 0);
                }
                Files.delete(range);
            }
        }
        return total;
    }

    static void copy(FileChannel ch, long begin, long end, Path to) {
        try (FileChannel out = FileChannel.open(to, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (long done = 0; done < end - begin; ) {
                done += ch.transferTo(begin + done, end - begin - done, out);
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    static long count(Connection c, Path file, boolean header) throws Exception {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), sum(x), sum(amt), max(s) FROM read_csv('"
                + file + "', header = " + header + ", " + COLUMNS + ")")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    static long lineStart(FileChannel ch, long pos) throws Exception {
        if (pos == 0) {
            return 0;
        }
        ByteBuffer b = ByteBuffer.allocate(64 << 10);
        for (long at = pos - 1; at < ch.size(); ) {
            b.clear();
            int n = ch.read(b, at);
            for (int i = 0; i < n; i++) {
                if (b.get(i) == '\n') {
                    return at + i + 1;
                }
            }
            at += n;
        }
        return ch.size();
    }

    static void check(long expected, long got) {
        if (expected != got) {
            throw new AssertionError("read " + got + " rows, not " + expected);
        }
    }

    static long median(List<Long> nanos) {
        List<Long> s = new ArrayList<>(nanos);
        s.sort(null);
        return s.get(s.size() / 2) / 1_000_000;
    }
}
