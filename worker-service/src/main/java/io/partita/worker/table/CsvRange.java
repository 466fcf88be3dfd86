package io.partita.worker.table;

import io.partita.common.table.StageInput;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CSV input of a stage, bound to a file DuckDB reads: the file itself when the range covers all of it, otherwise a
 * copy of the range's lines in the worker's scratch folder ({@code read_csv} cannot start at an offset), made in the
 * kernel with {@link FileChannel#transferTo} and deleted when the task ends. Measured on this machine for a 122 MiB
 * file: the copy costs 45-60 ms against 420-560 ms for DuckDB's read of it, and a copied file can be read by DuckDB's
 * threads in parallel, which a named pipe cannot (docs/tables.md).
 */
final class CsvRange implements AutoCloseable {
    private static final Pattern LINE = Pattern.compile("CSV Error on Line: (\\d+)");

    private final StageInput.Csv input;
    private final long begin;
    private final Path read;
    private final boolean copied;

    private CsvRange(StageInput.Csv input, long begin, Path read, boolean copied) {
        this.input = input;
        this.begin = begin;
        this.read = read;
        this.copied = copied;
    }

    /** Finds the range's first and last line (two positioned reads) and copies what lies between, unless it is all. */
    static CsvRange open(StageInput.Csv in, Path scratch) throws IOException {
        Path file = Path.of(in.file());
        try (FileChannel ch = FileChannel.open(file)) {
            long begin = CsvLines.lineStart(ch, in.start());
            long stop = CsvLines.lineStart(ch, in.end());
            if (begin == 0 && stop == ch.size()) {
                return new CsvRange(in, 0, file, false);
            }
            Files.createDirectories(scratch);
            Path copy = scratch.resolve("range-" + UUID.randomUUID() + ".csv");
            try (FileChannel out = FileChannel.open(copy, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                for (long done = 0; done < stop - begin; ) {
                    done += ch.transferTo(begin + done, stop - begin - done, out);
                }
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(copy);
                throw e;
            }
            return new CsvRange(in, begin, copy, true);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new IllegalArgumentException("cannot read CSV file " + in.file() + ": no such file on this worker", e);
        }
    }

    /** The relation: the stage's columns of the range's rows (the header only where the file begins). */
    String sql() {
        String cols = input.columns().isEmpty() ? "NULL AS partita_none"
                : String.join(", ", input.columns().stream().map(Sql::ident).toList());
        return "SELECT " + cols + " FROM " + CsvSql.read(read.toString(), input.format(), input.format().header() && begin == 0);
    }

    /**
     * DuckDB's error as the user's file: the line number made absolute (DuckDB counts from the copy's start, so the
     * line ends before it are counted now, and only now) and DuckDB's reason; null when it is no CSV error of this range.
     */
    String explain(String message) {
        Matcher m = LINE.matcher(message);
        if (!m.find()) {
            return message.contains(read.toString()) ? "CSV file " + input.file() + ": "
                    + message.replace(read.toString(), input.file()) : null;
        }
        long line;
        try (FileChannel ch = FileChannel.open(Path.of(input.file()))) {
            line = CsvLines.linesBefore(ch, begin) + Long.parseLong(m.group(1));
        } catch (IOException e) {
            return null;
        }
        List<String> reason = new ArrayList<>();
        String original = null;
        for (String l : message.substring(m.end()).split("\n")) {
            if (l.startsWith("Original Line: ")) {
                original = l.substring("Original Line: ".length());
            } else if (l.isBlank() && !reason.isEmpty() || l.startsWith("Possible fixes") || l.startsWith("Possible solutions")) {
                break;
            } else if (!l.isBlank()) {
                reason.add(l.strip());
            }
        }
        return "CSV file " + input.file() + ", line " + line + ": " + String.join(" ", reason)
                + (original == null ? "" : " (the line: " + original + ")");
    }

    /** Deletes the copy; never throws, so that it cannot hide the task's own error (the spill folder goes with the worker). */
    @Override
    public void close() {
        if (copied) {
            try {
                Files.deleteIfExists(read);
            } catch (IOException e) {
                read.toFile().deleteOnExit();
            }
        }
    }
}
