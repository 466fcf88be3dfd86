package io.partita.client.code;

import java.nio.file.Path;
import java.util.function.Supplier;

/**
 * A class-path entry as shipped to workers: its SHA-256 and a way to get its bytes (a packed directory or a jar file
 * read again at upload time, so nothing big is kept).
 */
public record Artifact(Path source, String sha256, long size, Supplier<byte[]> bytes) {}
