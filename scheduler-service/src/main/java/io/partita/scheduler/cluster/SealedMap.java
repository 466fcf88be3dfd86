package io.partita.scheduler.cluster;

import com.hazelcast.map.IMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hazelcast map of Partita's whose values are {@linkplain Sealer sealed}: written sealed for their map and key, and
 * read back only when they verify. Anything else found in it (planted by a member or client that knows only the
 * cluster name, or written with another secret) is skipped and logged once per key; reading one bad entry never
 * stops the others from being read.
 */
public final class SealedMap {
    private static final Logger LOG = LoggerFactory.getLogger(SealedMap.class);

    private final IMap<String, byte[]> map;
    private final Sealer sealer;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    public SealedMap(IMap<String, byte[]> map, Sealer sealer) {
        this.map = map;
        this.sealer = sealer;
    }

    public String name() {
        return map.getName();
    }

    public CompletionStage<Void> setAsync(String key, byte[] plain) {
        return map.setAsync(key, sealer.seal(context(key), plain));
    }

    /** Blocking. */
    public void set(String key, byte[] plain) {
        map.set(key, sealer.seal(context(key), plain));
    }

    public void removeAsync(String key) {
        map.removeAsync(key);
    }

    /** Blocking: the verified content under {@code key}, empty when there is none or it does not verify. */
    public Optional<byte[]> get(String key) {
        Object value;
        try {
            value = ((IMap<String, Object>) (IMap<String, ?>) map).get(key);
        } catch (RuntimeException e) { // a value no member may deserialize (every class is refused)
            skip(key, e.getClass().getSimpleName() + ": " + e.getMessage());
            return Optional.empty();
        }
        if (value == null) {
            return Optional.empty();
        }
        Optional<byte[]> plain = value instanceof byte[] b ? sealer.unseal(context(key), b) : Optional.empty();
        if (plain.isEmpty()) {
            skip(key, sealer.sealing() ? "not sealed with this cluster's secret" : "not written by a Partita scheduler");
        }
        return plain;
    }

    /** Blocking: every entry that verifies, in no particular order. */
    public void forEachVerified(BiConsumer<String, byte[]> action) {
        Set<String> keys;
        try {
            keys = map.keySet();
        } catch (RuntimeException e) {
            LOG.warn("cannot read the keys of {} (a key no member may deserialize was put there): {}", map.getName(),
                    e.getMessage());
            return;
        }
        for (String key : keys) {
            get(key).ifPresent(plain -> action.accept(key, plain));
        }
    }

    private void skip(String key, String why) {
        if (reported.add(key)) {
            LOG.warn("ignoring the entry {} of {}: {}", key, map.getName(), why);
        }
    }

    private String context(String key) {
        return map.getName() + "/" + key;
    }
}
