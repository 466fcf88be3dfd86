package io.partita.worker.state;

import io.partita.common.protocol.WorkerAddress;
import io.partita.worker.state.Instruction.FetchInputs;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Inputs on their way here: one {@link Fetch} per key (its holders, in the order to try them, and the tasks waiting
 * for it), and the fetches wanted but not started yet (they wait while memory is paused).
 */
final class Fetches {
    private final Map<String, Fetch> byKey = new HashMap<>();
    /** Fetches to start once memory is no longer paused (holder to keys), in the order they were wanted. */
    private final Map<WorkerAddress, List<String>> deferred = new LinkedHashMap<>();

    /** A key being fetched: the holder asked now, the ones to try after it, and the tasks waiting for it. */
    static final class Fetch {
        final ArrayDeque<WorkerAddress> others;
        final Set<String> waiters = new LinkedHashSet<>();
        /** Known to be an Arrow table. */
        final boolean table;
        WorkerAddress current;

        Fetch(List<WorkerAddress> holders, boolean table) {
            this.others = new ArrayDeque<>(holders);
            this.table = table;
            this.current = others.poll();
        }

        /** Fetches from {@code holders} (in order; at least one) from now on, instead of the ones it had. */
        void redirect(List<WorkerAddress> holders) {
            others.clear();
            others.addAll(holders);
            current = others.poll();
        }
    }

    Fetch get(String key) {
        return byKey.get(key);
    }

    boolean contains(String key) {
        return byKey.containsKey(key);
    }

    /** Starts fetching {@code key} from {@code holders} (in order; at least one). */
    Fetch start(String key, List<WorkerAddress> holders, boolean table) {
        Fetch fetch = new Fetch(holders, table);
        byKey.put(key, fetch);
        return fetch;
    }

    Fetch remove(String key) {
        return byKey.remove(key);
    }

    /** Keeps {@code toFetch} (holder to keys) to be started by {@link #startDeferred}. */
    void defer(Map<WorkerAddress, List<String>> toFetch) {
        toFetch.forEach((holder, keys) -> deferred.computeIfAbsent(holder, h -> new ArrayList<>()).addAll(keys));
    }

    /** Starts the fetches wanted so far, skipping those no longer needed or moved on to another holder. */
    void startDeferred(String sid, List<Instruction> out) {
        deferred.forEach((holder, keys) -> {
            List<String> still = new ArrayList<>();
            Set<String> tables = new HashSet<>();
            for (String key : keys) {
                Fetch fetch = byKey.get(key);
                if (fetch == null || !holder.equals(fetch.current) || still.contains(key)) {
                    continue; // arrived another way, or failed over to another holder
                }
                if (fetch.waiters.isEmpty()) {
                    byKey.remove(key); // every task that wanted it went away while it waited
                    continue;
                }
                still.add(key);
                if (fetch.table) {
                    tables.add(key);
                }
            }
            if (!still.isEmpty()) {
                out.add(new FetchInputs(sid, holder, still, tables));
            }
        });
        deferred.clear();
    }

    /** Fetches waiting to be started. */
    int deferredCount() {
        return deferred.values().stream().mapToInt(List::size).sum();
    }
}
