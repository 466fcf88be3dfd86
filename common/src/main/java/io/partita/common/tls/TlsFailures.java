package io.partita.common.tls;

import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLException;

/**
 * What a failed TLS handshake means, said so that the reader knows which file or flag to fix. The JDK's messages
 * ("PKIX path building failed", "Received fatal alert: certificate_required") are kept at the end.
 */
public final class TlsFailures {
    private TlsFailures() {}

    /** The explanation of the first TLS failure in {@code failure}'s cause chain, if there is one. */
    public static Optional<String> explain(Throwable failure, String peer) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            String m = c.getMessage() == null ? "" : c.getMessage();
            String lower = m.toLowerCase(Locale.ROOT);
            if (c instanceof SSLException || lower.contains("fatal alert") || lower.contains("pkix path")) {
                return Optional.of(reason(lower, peer) + " (" + c.getClass().getSimpleName() + ": " + m + ")");
            }
        }
        return Optional.empty();
    }

    /** Whether retrying cannot help: the peer's or our certificate is refused, or there is no TLS version in common. */
    public static boolean permanent(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            String lower = c.getMessage() == null ? "" : c.getMessage().toLowerCase(Locale.ROOT);
            if (lower.contains("pkix path") || lower.contains("certificate_required") || lower.contains("bad_certificate")
                    || lower.contains("certificate_unknown") || lower.contains("unknown_ca") || lower.contains("no subject alternative")
                    || lower.contains("no name matching") || lower.contains("protocol_version")
                    || lower.contains("no appropriate protocol") || lower.contains("unsupported or unrecognized ssl message")) {
                return true;
            }
        }
        return false;
    }

    private static String reason(String m, String peer) {
        if (m.contains("pkix path") || m.contains("unable to find valid certification path")) {
            return "the certificate of " + peer + " is not signed by a CA this process trusts: give the cluster's CA "
                    + "(--tls-ca, or ClientOptions.withTlsCa)";
        }
        if (m.contains("no subject alternative") || m.contains("no name matching")) {
            return "the certificate of " + peer + " does not name the address it was reached at: add that address "
                    + "to the certificate's subject alternative names, or connect with a name it has";
        }
        if (m.contains("certificate_required")) {
            return peer + " requires a client certificate (mutual TLS, --tls-client-auth): give this process a "
                    + "certificate and key signed by the cluster's CA (--tls-cert and --tls-key)";
        }
        if (m.contains("bad_certificate") || m.contains("certificate_unknown") || m.contains("unknown_ca")) {
            return peer + " refused this process's certificate (mutual TLS, --tls-client-auth): it must be signed by the "
                    + "CA that " + peer + " trusts (its --tls-ca)";
        }
        if (m.contains("protocol_version") || m.contains("no appropriate protocol")) {
            return "no TLS version in common with " + peer + " (--tls-protocols; TLSv1.3 only by default)";
        }
        if (m.contains("unsupported or unrecognized ssl message")) {
            return peer + " does not speak TLS: is TLS on there (--tls-cert), or is the address of another service?";
        }
        return "the TLS handshake with " + peer + " failed";
    }
}
