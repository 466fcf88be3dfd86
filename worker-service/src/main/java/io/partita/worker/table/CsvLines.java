package io.partita.worker.table;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Line arithmetic on a CSV file by positioned reads, so that cutting a file into ranges or naming the line of an
 * error never reads more than it must. A line ends at {@code '\n'} ({@code "\r\n"} too: the {@code '\r'} stays with
 * its line, which DuckDB accepts).
 */
final class CsvLines {
    private static final int CHUNK = 64 << 10;

    private CsvLines() {}

    /**
     * Where the first line that begins at or after {@code pos} begins: {@code pos} itself when it is 0 or follows a
     * line end, else just after the next line end, or the file's size when there is none. Ranges cut at
     * {@code lineStart(start)} and {@code lineStart(end)} therefore own exactly the lines beginning in {@code [start, end)}.
     */
    static long lineStart(FileChannel ch, long pos) throws IOException {
        long size = ch.size();
        if (pos <= 0) {
            return 0;
        }
        if (pos >= size) {
            return size;
        }
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        for (long at = pos - 1; at < size; ) { // from the byte before pos: a line end there means a line begins at pos
            buf.clear();
            int n = ch.read(buf, at);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) == '\n') {
                    return at + i + 1;
                }
            }
            at += n;
        }
        return size;
    }

    /** Line ends in {@code [0, pos)}: the lines before {@code pos}. Read only when an error needs its line number. */
    static long linesBefore(FileChannel ch, long pos) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        long lines = 0;
        for (long at = 0; at < pos; ) {
            buf.clear();
            buf.limit((int) Math.min(CHUNK, pos - at));
            int n = ch.read(buf, at);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (buf.get(i) == '\n') {
                    lines++;
                }
            }
            at += n;
        }
        return lines;
    }

    /** The first line's text (at most 1 MiB of it), without its line end: a header, to compare. */
    static String firstLine(FileChannel ch) throws IOException {
        int n = (int) Math.min(1 << 20, lineStart(ch, 1));
        ByteBuffer buf = ByteBuffer.allocate(n);
        while (buf.hasRemaining() && ch.read(buf, buf.position()) > 0) {
            // a positioned read may return fewer bytes than asked
        }
        String line = new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.UTF_8);
        return line.endsWith("\n") ? line.substring(0, line.length() - 1).replaceFirst("\r$", "") : line;
    }

    /** Whether the file holds no line after the header (when there is one): nothing to detect types from. */
    static boolean noDataLines(FileChannel ch, boolean header) throws IOException {
        long from = header ? lineStart(ch, 1) : 0; // lineStart(1): just after the first line end
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        for (long at = from; at < ch.size(); ) {
            buf.clear();
            int n = ch.read(buf, at);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                byte b = buf.get(i);
                if (b != '\n' && b != '\r' && b != ' ' && b != '\t') {
                    return false;
                }
            }
            at += n;
        }
        return true;
    }
}
