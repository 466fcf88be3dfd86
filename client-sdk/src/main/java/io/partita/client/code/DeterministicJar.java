package io.partita.client.code;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Packs a class-path directory as a jar whose bytes depend only on the files' names and contents: entries sorted,
 * fixed timestamps (time-zone independent), fixed compression level, no directory entries, no extra fields. The same
 * directory content therefore gives the same SHA-256 on every run.
 */
public final class DeterministicJar {
    private static final LocalDateTime FIXED_TIME = LocalDateTime.of(1980, 2, 1, 0, 0);

    private DeterministicJar() {}

    public static byte[] pack(Path dir) {
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(Files::isRegularFile)
                    .filter(p -> included(dir.relativize(p)))
                    .sorted((a, b) -> entryName(dir, a).compareTo(entryName(dir, b)))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read class-path directory " + dir, e);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 * 1024);
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.setLevel(Deflater.DEFAULT_COMPRESSION);
            for (Path file : files) {
                ZipEntry entry = new ZipEntry(entryName(dir, file));
                entry.setTimeLocal(FIXED_TIME);
                zip.putNextEntry(entry);
                try (InputStream in = Files.newInputStream(file)) {
                    in.transferTo(zip);
                }
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot pack class-path directory " + dir, e);
        }
        return bytes.toByteArray();
    }

    private static String entryName(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }

    /** Classes and resources; not hidden files, editor leftovers or signatures (which a repack would invalidate). */
    static boolean included(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return false;
            }
        }
        String name = relative.toString().replace('\\', '/');
        if (name.startsWith("META-INF/") && (name.endsWith(".SF") || name.endsWith(".RSA") || name.endsWith(".DSA")
                || name.endsWith(".EC"))) {
            return false;
        }
        return !name.endsWith("~") && !name.endsWith(".swp");
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(digest().digest(bytes));
    }

    public static String sha256(Path file) {
        MessageDigest sha = digest();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
