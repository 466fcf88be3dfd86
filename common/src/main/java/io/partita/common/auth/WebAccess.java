package io.partita.common.auth;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Who may use a Partita HTTP port from a browser or a tool: the decision for one request, pure, with no I/O.
 *
 * <ul>
 *   <li><b>Host</b>: an IP literal, {@code localhost}, the process's own names or a name given with
 *       {@code --allowed-hosts}. A DNS-rebinding page reaches the port under its own name, which is none of these.
 *       Checked on the dashboard's port always, and on the other ports of a cluster without a token: with one, a
 *       rebinding page has neither the token nor the session cookie (bound to the real name), and in-cluster
 *       clients and workers reach the scheduler by Service names. {@code /health} is never checked (probes).</li>
 *   <li><b>Origin</b>, when a browser sends one: the request's own host, or a name given with {@code --allowed-hosts}
 *       (a page of another site cannot drive the port, a WebSocket included, which browsers do not guard by CORS).</li>
 *   <li><b>The token</b>, when the cluster has one: {@code Authorization: Bearer <token>}, or the session cookie that
 *       the login page sets (HttpOnly, SameSite=Strict; its value is derived from the token, not the token). Open
 *       without it: {@code /health}, the login page and the page assets, and {@code /metrics} unless
 *       {@code --metrics-auth}.</li>
 * </ul>
 */
public final class WebAccess {
    public static final String COOKIE = "partita_session";
    public static final String LOGIN_PATH = "/login";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** What to do with a request. */
    public enum Verdict {
        ALLOW,
        /** Host not allowed: 421 Misdirected Request. */
        BAD_HOST,
        /** A browser page of another site: 403. */
        BAD_ORIGIN,
        /** The token is required and missing or wrong: 401, or the login page for a browser. */
        UNAUTHENTICATED
    }

    private final ClusterToken token;
    private final Set<String> names;
    private final boolean anyHost;
    private final boolean metricsOpen;
    private final List<String> sessions;

    /**
     * @param token        the cluster token (none: only the host and origin are checked)
     * @param ownNames     the names this process is reached by (its {@code --host}, listen address)
     * @param allowedHosts more names (an Ingress host, say); {@code *} allows any host
     * @param metricsAuth  whether {@code /metrics} needs the token too
     */
    public WebAccess(ClusterToken token, List<String> ownNames, List<String> allowedHosts, boolean metricsAuth) {
        this.token = token;
        Set<String> all = new LinkedHashSet<>();
        all.add("localhost");
        ownNames.stream().filter(java.util.Objects::nonNull).map(WebAccess::normal).forEach(all::add);
        allowedHosts.stream().map(WebAccess::normal).forEach(all::add);
        this.anyHost = all.remove("*");
        this.names = Set.copyOf(all);
        this.metricsOpen = !metricsAuth;
        List<String> s = new ArrayList<>();
        token.value().ifPresent(v -> s.add(session(v)));
        token.alsoAccepted().forEach(v -> s.add(session(v)));
        this.sessions = List.copyOf(s);
    }

    /** Open to anyone on loopback: no token, no extra names. */
    public static WebAccess open() {
        return new WebAccess(ClusterToken.none(), List.of(), List.of(), false);
    }

    public boolean tokenRequired() {
        return token.required();
    }

    /**
     * @param pages         whether this port serves the dashboard's pages to browsers
     * @param path          the request path, without the query
     * @param host          the {@code Host} header (with or without a port), null when absent
     * @param origin        the {@code Origin} header, null when absent
     * @param authorization the {@code Authorization} header, null when absent
     * @param cookies       the {@code Cookie} header, null when absent
     */
    public Verdict check(boolean pages, String path, String host, String origin, String authorization, String cookies) {
        if (path.equals("/health")) {
            return Verdict.ALLOW; // probes reach it by any name; it shows counts only
        }
        String hostName = hostOf(host);
        if (hostName == null || (pages || !token.required()) && !hostAllowed(hostName)) {
            return Verdict.BAD_HOST;
        }
        if (origin != null && !origin.equals("null")) {
            String originHost = originHost(origin);
            if (originHost == null || !(originHost.equals(hostName) || anyHost || names.contains(originHost))) {
                return Verdict.BAD_ORIGIN;
            }
        } else if ("null".equals(origin)) {
            return Verdict.BAD_ORIGIN; // a sandboxed frame or a file: page
        }
        if (!token.required() || open(path) || token.accepts(authorization) || hasSession(cookies)) {
            return Verdict.ALLOW;
        }
        return Verdict.UNAUTHENTICATED;
    }

    /** Whether {@code presented} (typed into the login page) is an accepted token. */
    public boolean acceptsLogin(String presented) {
        return presented != null && !presented.isBlank() && token.accepts("Bearer " + presented.strip());
    }

    /**
     * The {@code Set-Cookie} value that the login page answers a right token with.
     *
     * @param secure whether the port serves TLS (the cookie is then never sent in clear)
     */
    public String sessionCookie(boolean secure) {
        if (sessions.isEmpty()) {
            throw new IllegalStateException("no token: there is no session to open");
        }
        return COOKIE + "=" + sessions.getFirst() + "; Path=/; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    private boolean open(String path) {
        return path.equals("/health") || path.equals(LOGIN_PATH) || path.startsWith("/dashboard/assets/")
                || path.startsWith("/dashboard/webjars/") || metricsOpen && path.equals("/metrics");
    }

    private boolean hasSession(String cookies) {
        if (cookies == null || sessions.isEmpty()) {
            return false;
        }
        boolean match = false;
        for (String part : cookies.split(";")) {
            String c = part.strip();
            if (c.startsWith(COOKIE + "=")) {
                byte[] given = c.substring(COOKIE.length() + 1).getBytes(StandardCharsets.UTF_8);
                for (String s : sessions) {
                    match |= MessageDigest.isEqual(given, s.getBytes(StandardCharsets.UTF_8));
                }
            }
        }
        return match;
    }

    private boolean hostAllowed(String hostName) {
        return anyHost || isIpLiteral(hostName) || names.contains(hostName);
    }

    /** The session value for {@code token}: an HMAC of a fixed label, so that a cookie is not the token itself. */
    private static String session(String token) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(token.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal("partita dashboard session v1".getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
        }
    }

    static boolean isIpLiteral(String host) {
        return IPV4.matcher(host).matches() || host.contains(":"); // hostOf strips IPv6 brackets; names have no colon
    }

    /** The name in a Host header, lower case, without port or IPv6 brackets; null when malformed. */
    static String hostOf(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String h = header.strip();
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? null : normal(h.substring(1, close));
        }
        int colon = h.indexOf(':');
        if (colon >= 0 && h.indexOf(':', colon + 1) >= 0) {
            return normal(h); // a bare IPv6 address
        }
        return normal(colon >= 0 ? h.substring(0, colon) : h);
    }

    private static String originHost(String origin) {
        try {
            return Optional.ofNullable(URI.create(origin.strip()).getHost()).map(WebAccess::hostOf).orElse(null);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static String normal(String name) {
        String n = name.strip().toLowerCase(Locale.ROOT);
        return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
    }
}
