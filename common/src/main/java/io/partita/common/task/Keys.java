package io.partita.common.task;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Task keys: {@code <group>-<32 hex digits>}, where the group (Dask's "key prefix") names the function. */
public final class Keys {
    public static final int MAX_KEY_LENGTH = 256;

    private Keys() {}

    public static String newKey(String group) {
        byte[] random = new byte[16];
        ThreadLocalRandom.current().nextBytes(random);
        return sanitizeGroup(group) + "-" + HexFormat.of().formatHex(random);
    }

    /** The task group of a key: everything before its last '-' (the whole key if it has none). */
    public static String group(String key) {
        int dash = key.lastIndexOf('-');
        return dash > 0 ? key.substring(0, dash) : key;
    }

    public static String sanitizeGroup(String group) {
        String g = group == null || group.isBlank() ? "task" : group;
        g = g.replaceAll("[^A-Za-z0-9_.$]", "_");
        return g.length() > 64 ? g.substring(0, 64) : g;
    }

    public static String requireValid(String key) {
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("task key is missing or blank");
        }
        if (key.length() > MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("task key is longer than " + MAX_KEY_LENGTH + " characters: "
                    + key.substring(0, 40) + "...");
        }
        return key;
    }
}
