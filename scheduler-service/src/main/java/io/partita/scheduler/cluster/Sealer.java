package io.partita.scheduler.cluster;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.KDF;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.HKDFParameterSpec;

/**
 * Seals what the schedulers keep in Hazelcast, whose open-source edition lets anyone who reaches its port read and
 * write every map: AES-256-GCM with a key derived from the cluster secret by HKDF-SHA256. An entry is
 * {@code "PS" version keyId(8) nonce(12) ciphertext+tag(16)}; the header and the entry's context (its map and key)
 * are authenticated too, so a sealed entry cannot be moved to another key. A reader gets nothing for an entry it
 * cannot verify: planted, forged, sealed with another secret, or written unsealed.
 *
 * <p>Without a secret (a cluster on loopback only, see {@code SchedulerConfig}), entries are written open (version 0)
 * and only open entries are read: there is nothing to seal with, and nobody off the machine reaches the port.
 */
public final class Sealer {
    private static final byte[] MAGIC = {'P', 'S'};
    private static final byte OPEN = 0;
    private static final byte AES_GCM = 1;
    private static final int KEY_ID_BYTES = 8;
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final int SEALED_HEADER = MAGIC.length + 1 + KEY_ID_BYTES + NONCE_BYTES;
    private static final byte[] SALT = "partita hazelcast state v1".getBytes(StandardCharsets.UTF_8);

    private final SecretKey key;
    private final byte[] keyId;
    private final SecureRandom random = new SecureRandom();

    private Sealer(SecretKey key, byte[] keyId) {
        this.key = key;
        this.keyId = keyId;
    }

    /** Seals with a key derived from {@code secret} (the cluster token or the cluster secret file's content). */
    public static Sealer of(byte[] secret) {
        if (secret.length == 0) {
            throw new IllegalArgumentException("the cluster secret is empty");
        }
        try {
            KDF hkdf = KDF.getInstance("HKDF-SHA256");
            SecretKey key = hkdf.deriveKey("AES", HKDFParameterSpec.ofExtract().addIKM(secret).addSalt(SALT)
                    .thenExpand("aes-256-gcm key".getBytes(StandardCharsets.UTF_8), 32));
            byte[] keyId = hkdf.deriveData(HKDFParameterSpec.ofExtract().addIKM(secret).addSalt(SALT)
                    .thenExpand("key id".getBytes(StandardCharsets.UTF_8), KEY_ID_BYTES));
            return new Sealer(key, keyId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot derive keys with HKDF-SHA256: " + e.getMessage(), e);
        }
    }

    /** Writes entries open and reads only open ones: for a cluster without a secret. */
    public static Sealer open() {
        return new Sealer(null, null);
    }

    public boolean sealing() {
        return key != null;
    }

    /** {@code plain} sealed for the entry {@code context} (for example {@code "partita.graphs/client-1/7"}). */
    public byte[] seal(String context, byte[] plain) {
        if (key == null) {
            return ByteBuffer.allocate(MAGIC.length + 1 + plain.length).put(MAGIC).put(OPEN).put(plain).array();
        }
        byte[] nonce = new byte[NONCE_BYTES];
        random.nextBytes(nonce);
        ByteBuffer header = ByteBuffer.allocate(SEALED_HEADER).put(MAGIC).put(AES_GCM).put(keyId).put(nonce);
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            gcm.updateAAD(header.array());
            gcm.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] out = Arrays.copyOf(header.array(), SEALED_HEADER + gcm.getOutputSize(plain.length));
            gcm.doFinal(plain, 0, plain.length, out, SEALED_HEADER);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot seal " + context + ": " + e.getMessage(), e);
        }
    }

    /** The content of an entry sealed for {@code context} by a sealer of the same secret; empty for anything else. */
    public Optional<byte[]> unseal(String context, byte[] entry) {
        if (entry == null || entry.length < MAGIC.length + 1 || entry[0] != MAGIC[0] || entry[1] != MAGIC[1]) {
            return Optional.empty();
        }
        byte version = entry[2];
        if (key == null) {
            return version == OPEN ? Optional.of(Arrays.copyOfRange(entry, 3, entry.length)) : Optional.empty();
        }
        if (version != AES_GCM || entry.length < SEALED_HEADER + TAG_BITS / 8
                || !MessageDigest.isEqual(keyId, Arrays.copyOfRange(entry, 3, 3 + KEY_ID_BYTES))) {
            return Optional.empty();
        }
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, entry, 3 + KEY_ID_BYTES, NONCE_BYTES));
            gcm.updateAAD(entry, 0, SEALED_HEADER);
            gcm.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return Optional.of(gcm.doFinal(entry, SEALED_HEADER, entry.length - SEALED_HEADER));
        } catch (javax.crypto.AEADBadTagException forged) {
            return Optional.empty();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot open " + context + ": " + e.getMessage(), e);
        }
    }
}
