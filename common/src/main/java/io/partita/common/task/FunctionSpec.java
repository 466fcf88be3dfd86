package io.partita.common.task;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A task function: a serialized {@code io.partita.common.fn} object (often a lambda), the content-addressed jars
 * (sha-256 hex digests) its classes come from, and a readable name. Tasks refer to it by {@link #id()}, so a
 * function used by many tasks travels once per message.
 */
public record FunctionSpec(String id, String name, byte[] payload, List<String> artifacts) {
    public FunctionSpec {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(payload, "payload");
        artifacts = List.copyOf(artifacts);
        for (String a : artifacts) {
            if (!a.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("artifact id '" + a + "' of function " + name + " is not a sha-256 hex digest");
            }
        }
    }

    public static FunctionSpec of(String name, byte[] payload, List<String> artifacts) {
        return new FunctionSpec(contentId(payload, artifacts), name, payload, artifacts);
    }

    static String contentId(byte[] payload, List<String> artifacts) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(payload);
            for (String a : artifacts) {
                sha.update(a.getBytes(StandardCharsets.US_ASCII));
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
