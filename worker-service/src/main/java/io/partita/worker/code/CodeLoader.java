package io.partita.worker.code;

import io.partita.common.auth.ClusterToken;
import io.partita.common.codec.ValueCodec;
import io.partita.common.fn.Functions;
import io.partita.common.net.Causes;
import io.partita.common.net.InternalHttp;
import io.partita.common.tls.Tls;
import io.partita.common.net.Retry;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads task code: downloads a function's jars from the scheduler into a content-addressed cache, checks their
 * digests, and decodes the function in an isolated class loader per set of jars, so clients cannot see each
 * other's classes. Decoded functions are cached by id. Called from pool threads (it blocks on downloads).
 */
public final class CodeLoader implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CodeLoader.class);
    private final Supplier<URI> scheduler;
    private final ClusterToken token;
    private final Path cacheDir;
    private final HttpClient http;
    private final Retry.Policy retry;
    private final ConcurrentHashMap<List<String>, URLClassLoader> loaders = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, LoadedFunction> functions = new ConcurrentHashMap<>();

    /** A decoded task function and the loader its arguments decode with. */
    public record LoadedFunction(Object function, ClassLoader loader) {}

    /**
     * @param scheduler base URI of the API of the scheduler this worker is registered with ({@code http://host:8786}),
     *                  asked at each download (it changes when a standby takes over); null when there is none
     */
    public CodeLoader(Supplier<URI> scheduler, ClusterToken token, Path cacheDir) {
        this(scheduler, token, cacheDir, Retry.Policy.fetches());
    }

    /** @param retry how a failed download is retried (tests shorten it) */
    public CodeLoader(Supplier<URI> scheduler, ClusterToken token, Path cacheDir, Retry.Policy retry) {
        this(scheduler, token, cacheDir, retry, Tls.off());
    }

    /** @param tls verifies an {@code https} scheduler, and presents this worker's certificate */
    public CodeLoader(Supplier<URI> scheduler, ClusterToken token, Path cacheDir, Retry.Policy retry, Tls tls) {
        this.scheduler = scheduler;
        this.token = token;
        this.cacheDir = cacheDir;
        this.retry = retry;
        this.http = InternalHttp.client(Duration.ofSeconds(10), tls);
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
            urls.add(artifactUrl(sha));
        }
        return loaders.computeIfAbsent(key, k -> new URLClassLoader("partita-task-" + k.hashCode(),
                urls.toArray(URL[]::new), CodeLoader.class.getClassLoader()));
    }

    /** The cached jar {@code sha}, downloaded first (with retries) when it is not cached. */
    private URL artifactUrl(String sha) {
        Path jar = cacheDir.resolve(sha + ".jar");
        try {
            if (!Files.exists(jar)) {
                Retry.call("fetching artifact " + sha + " from " + schedulerName(), retry, LOG, () -> download(sha, jar));
            }
            return jar.toUri().toURL();
        } catch (IOException e) {
            throw new CodeFetchException("cannot fetch artifact " + sha + " from the scheduler at " + schedulerName()
                    + ": " + Causes.describe(e), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CodeFetchException("interrupted while fetching artifact " + sha + " from " + schedulerName(), e);
        }
    }

    private String schedulerName() {
        URI base = scheduler == null ? null : scheduler.get();
        return base == null ? "(none registered)" : base.toString();
    }

    /** One attempt; the scheduler is asked anew each time (a standby may have taken over). */
    private Path download(String sha, Path jar) throws IOException, InterruptedException {
        if (Files.exists(jar)) {
            return jar; // another thread fetched it meanwhile
        }
        URI base = scheduler == null ? null : scheduler.get();
        if (base == null) {
            throw new IOException("this worker is registered with no scheduler");
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
                    String problem = "HTTP " + resp.statusCode() + " for /api/artifacts/" + sha + ": "
                            + new String(body.readNBytes(512), java.nio.charset.StandardCharsets.UTF_8).strip();
                    // 503: the scheduler is not (yet) the active one; anything else is an answer retrying cannot change
                    throw resp.statusCode() == 503 ? new IOException(problem) : new Retry.Refused(problem);
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
