package io.partita.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The benchmark's queries as SQL, read from benchmarks/tables/queries.sql ({@code -- query: NAME CHECK} blocks). */
record SqlQueries(List<Entry> entries) {
    record Entry(String name, String check, String sql) {}

    static SqlQueries read(Path file) throws IOException {
        List<Entry> out = new ArrayList<>();
        String name = null;
        String check = null;
        StringBuilder sql = new StringBuilder();
        for (String line : Files.readAllLines(file)) {
            if (line.startsWith("-- query: ")) {
                String[] parts = line.substring("-- query: ".length()).strip().split("\\s+");
                name = parts[0];
                check = parts[1];
                sql.setLength(0);
            } else if (name != null && !line.startsWith("--")) {
                sql.append(line).append('\n');
                if (line.strip().endsWith(";")) {
                    out.add(new Entry(name, check, sql.toString().strip().replaceAll(";$", "")));
                    name = null;
                }
            }
        }
        return new SqlQueries(List.copyOf(out));
    }
}
