package io.partita.tpch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * The file {@code _PARTITA_TPCH} written last into a table's folder: its presence with the same parameters means the
 * folder is complete, so a second run skips it. Written to a temporary name and renamed.
 */
public record Marker(double scale, long rowsPerGroup, long rowsPerFile, int files, long rows) {
    static final String NAME = "_PARTITA_TPCH";

    public String text() {
        return String.format(Locale.ROOT, "scale=%s%nrows_per_group=%d%nrows_per_file=%d%nfiles=%d%nrows=%d%n",
                scale, rowsPerGroup, rowsPerFile, files, rows);
    }

    boolean sameLayout(Layout layout) {
        return scale == layout.scale() && rowsPerGroup == layout.rowsPerGroup() && rowsPerFile == layout.rowsPerFile();
    }

    void write(Path dir) throws IOException {
        Path tmp = dir.resolve("." + NAME + ".tmp");
        Files.writeString(tmp, text());
        Files.move(tmp, dir.resolve(NAME), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static Optional<Marker> read(Path dir) throws IOException {
        Path file = dir.resolve(NAME);
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        java.util.Properties p = new java.util.Properties();
        try (var in = Files.newBufferedReader(file)) {
            p.load(in);
        }
        try {
            return Optional.of(new Marker(Double.parseDouble(p.getProperty("scale")),
                    Long.parseLong(p.getProperty("rows_per_group")), Long.parseLong(p.getProperty("rows_per_file")),
                    Integer.parseInt(p.getProperty("files")), Long.parseLong(p.getProperty("rows"))));
        } catch (RuntimeException unreadable) {
            return Optional.empty(); // an older or damaged marker: generate again
        }
    }
}
