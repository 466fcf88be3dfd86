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

    /** The named queries only; fails naming the unknown ones. */
    SqlQueries only(List<String> names) {
        List<String> known = entries.stream().map(Entry::name).toList();
        List<String> unknown = names.stream().filter(n -> !known.contains(n)).toList();
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown queries " + unknown + "; the queries are " + known);
        }
        return new SqlQueries(entries.stream().filter(e -> names.contains(e.name())).toList());
    }

    /** Writes these queries in the format {@link #read} reads; returns {@code file}. */
    Path write(Path file) throws IOException {
        StringBuilder out = new StringBuilder();
        for (Entry e : entries) {
            out.append("-- query: ").append(e.name()).append(' ').append(e.check()).append('\n').append(e.sql()).append(";\n\n");
        }
        return Files.writeString(file, out);
    }
}
