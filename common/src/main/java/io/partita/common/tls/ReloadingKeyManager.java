package io.partita.common.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Function;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The key manager every TLS stack of a process is given (the JDK's, Netty's under gRPC and Vert.x): it answers each
 * handshake with the key and chain read last, so that a certificate replaced on disk is presented on the next new
 * connection without rebuilding any server. A handshake first chooses an alias and then asks for its key and chain;
 * the alias names one reading, so both come from the same one even when a newer reading arrived in between.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
    private final Supplier<TlsMaterial> current;
    private final Function<String, TlsMaterial> byAlias;

    ReloadingKeyManager(Supplier<TlsMaterial> current, Function<String, TlsMaterial> byAlias) {
        this.current = current;
        this.byAlias = byAlias;
    }

    /** The current alias when its key fits {@code keyType} (JDK names: RSA, EC, RSASSA-PSS, EdDSA, EC_EC...). */
    private String alias(String keyType) {
        TlsMaterial m = current.get();
        if (m.key() == null) {
            return null;
        }
        if (keyType == null) {
            return m.alias();
        }
        String algorithm = m.key().getAlgorithm();
        boolean fits = keyType.equalsIgnoreCase(algorithm) || keyType.startsWith(algorithm + "_")
                || (keyType.equals("EdDSA") && algorithm.startsWith("Ed"));
        return fits ? m.alias() : null;
    }

    private String anyAlias(String[] keyTypes) {
        if (keyTypes == null) {
            return alias(null);
        }
        for (String type : keyTypes) {
            String a = alias(type);
            if (a != null) {
                return a;
            }
        }
        return null;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        String a = alias(keyType);
        return a == null ? null : new String[] {a};
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return anyAlias(keyTypes);
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        return anyAlias(keyTypes);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return getClientAliases(keyType, issuers);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return alias(keyType);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return alias(keyType);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsMaterial m = byAlias.apply(alias);
        return m == null || m.chain() == null ? null : m.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsMaterial m = byAlias.apply(alias);
        return m == null ? null : m.key();
    }
}
