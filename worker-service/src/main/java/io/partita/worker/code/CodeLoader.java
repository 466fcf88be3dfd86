package io.partita.worker.code;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.ValueCodec;
import io.partita.common.fn.Functions;
import io.partita.common.task.FunctionSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Loads task code: downloads a function's jars from the scheduler into a content-addressed cache, checks their
 * digests, and decodes the function in an isolated class loader per set of jars, so clients cannot see each
 * other's classes. Decoded functions are cached by id. Called from pool threads (it blocks on downloads).
 */
public final class CodeLoader implements AutoCloseable {
    private final Supplier<URI> scheduler;
    private final ClusterToken token;
    private final Path cacheDir;
    private final HttpClient http;
    private final ConcurrentHashMap<List<String>, URLClassLoader> loaders = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LoadedFunction> functions = new ConcurrentHashMap<>();

    /** A decoded task function and the loader its arguments decode with. */
    public record LoadedFunction(Object function, ClassLoader loader) {}

    /**
     * @param scheduler base URI of the API of the scheduler this worker is registered with ({@code http://host:8786}),
     *                  asked at each download (it changes when a standby takes over); null when there is none
     */
    public CodeLoader(Supplier<URI> scheduler, ClusterToken token, Path cacheDir) {
        this.scheduler = scheduler;
        this.token = token;
        this.cacheDir = cacheDir;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * The decoded function of {@code spec}, cached by id.
     *
     * @throws CodeLoadingException naming the function and the cause
     */
    public LoadedFunction function(FunctionSpec spec) {
        LoadedFunction cached = functions.get(spec.id());
        if (cached != null) {
            return cached;
        }
        ClassLoader loader = loader(spec.artifacts());
        Object fn;
        try {
            fn = ValueCodec.decode(spec.payload(), loader);
        } catch (RuntimeException e) {
            throw new CodeLoadingException("cannot load function " + spec.name() + ": " + e.getMessage(), e);
        }
        if (!Functions.isFunction(fn)) {
            throw new CodeLoadingException("function " + spec.name() + " decodes to "
                    + ValueCodec.typeName(fn) + ", not an Fn0..Fn3/FnN", null);
        }
        LoadedFunction loaded = new LoadedFunction(fn, loader);
        LoadedFunction raced = functions.putIfAbsent(spec.id(), loaded);
        return raced == null ? loaded : raced;
    }

    /** The isolated loader for a set of jars (an empty set gets one too, so only JDK and Partita classes pass the filter). */
    public ClassLoader loader(List<String> artifacts) {
        List<String> key = artifacts.stream().sorted().distinct().toList();
        URLClassLoader existing = loaders.get(key);
        if (existing != null) {
            return existing;
        }
        List<URL> urls = new ArrayList<>();
        for (String sha : key) {
            try {
                urls.add(artifact(sha).toUri().toURL());
            } catch (IOException e) {
                throw new CodeLoadingException("cannot fetch artifact " + sha + " from the scheduler: " + e.getMessage(), e);
            }
        }
        return loaders.computeIfAbsent(key, k -> new URLClassLoader("partita-task-" + k.hashCode(),
                urls.toArray(URL[]::new), CodeLoader.class.getClassLoader()));
    }

    /** Attempts at downloading one artifact: a pooled connection the scheduler has closed fails a first try. */
    private static final int DOWNLOAD_ATTEMPTS = 3;

    private Path artifact(String sha) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return download(sha);
            } catch (IOException e) {
                if (attempt == DOWNLOAD_ATTEMPTS || Thread.currentThread().isInterrupted()) {
                    throw e;
                }
            }
        }
    }

    private Path download(String sha) throws IOException {
        Path jar = cacheDir.resolve(sha + ".jar");
        if (Files.exists(jar)) {
            return jar;
        }
        URI base = scheduler == null ? null : scheduler.get();
        if (base == null) {
            throw new IOException("no scheduler to download it from");
        }
        Files.createDirectories(cacheDir);
        HttpRequest.Builder req = HttpRequest.newBuilder(base.resolve("/api/artifacts/" + sha))
                .timeout(Duration.ofMinutes(5)).GET();
        token.headerValue().ifPresent(v -> req.header("Authorization", v));
        Path tmp = Files.createTempFile(cacheDir, sha, ".part");
        try {
            HttpResponse<InputStream> resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = resp.body()) {
                if (resp.statusCode() != 200) {
                    throw new IOException("HTTP " + resp.statusCode() + " for /api/artifacts/" + sha);
                }
                MessageDigest digest = MessageDigest.getInstance("SHA-256");
                try (DigestInputStream in = new DigestInputStream(body, digest)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                String actual = HexFormat.of().formatHex(digest.digest());
                if (!actual.equals(sha)) {
                    throw new IOException("downloaded jar has sha-256 " + actual + ", expected " + sha);
                }
            }
            Files.move(tmp, jar, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return jar;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    @Override
    public void close() {
        functions.clear();
        loaders.values().forEach(l -> {
            try {
                l.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        loaders.clear();
        http.close();
    }
}
