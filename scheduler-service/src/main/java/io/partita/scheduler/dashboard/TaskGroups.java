package io.partita.scheduler.dashboard;

import io.partita.common.task.Keys;
import io.partita.scheduler.state.TaskState;
import io.partita.scheduler.state.Transition;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Progress per task group (the key prefix, Dask's "task prefix"), kept up to date from the scheduler's transitions so
 * that a page update costs nothing per task. A task counts as done once its result was in memory and then released;
 * a group whose tasks are all forgotten starts again from zero when a new task of it arrives (a new computation).
 */
final class TaskGroups {
    /** Groups without a live task are dropped this long after their last change. */
    static final long IDLE_MS = 10 * 60_000;
    /** At most this many groups are shown (the most recently changed). */
    static final int MAX_SHOWN = 60;

    static final class Group {
        final String name;
        final long firstSeen;
        long lastChange;
        int released;
        int waiting;
        int processing;
        int memory;
        int erred;
        /** Released after being in memory: done, still known to the scheduler. */
        int releasedDone;
        /** Done and forgotten. */
        long forgottenDone;

        Group(String name, long now) {
            this.name = name;
            this.firstSeen = now;
        }

        int live() {
            return released + waiting + processing + memory + erred;
        }

        long done() {
            return releasedDone + forgottenDone;
        }

        /** Tasks counted in the bar: done, in memory, erred, processing, waiting (not those merely kept as lineage). */
        long total() {
            return done() + memory + erred + processing + waiting;
        }

        void add(TaskState state, int n) {
            switch (state) {
                case RELEASED -> released += n;
                case WAITING -> waiting += n;
                case PROCESSING -> processing += n;
                case MEMORY -> memory += n;
                case ERRED -> erred += n;
                case FORGOTTEN -> { }
            }
        }
    }

    private final Map<String, Group> groups = new LinkedHashMap<>();
    /** Keys released after their result was in memory: they count as done while they stay released. */
    private final Set<String> releasedDone = new HashSet<>();

    void on(Transition t) {
        String name = Keys.group(t.key());
        Group g = groups.get(name);
        if (g == null) {
            g = new Group(name, t.timeMillis());
            groups.put(name, g);
        }
        if (t.from() == TaskState.FORGOTTEN && g.live() == 0) {
            g.forgottenDone = 0; // every task of the group was forgotten: this is a new computation
        }
        g.lastChange = t.timeMillis();
        g.add(t.from(), -1);
        g.add(t.to(), +1);
        if (t.from() == TaskState.MEMORY && t.to() == TaskState.RELEASED) {
            releasedDone.add(t.key());
            g.releasedDone++;
        } else if (t.from() == TaskState.RELEASED && releasedDone.remove(t.key())) {
            g.releasedDone--;
            if (t.to() == TaskState.FORGOTTEN) {
                g.forgottenDone++;
            }
        }
    }

    /** The groups to show, oldest first, after dropping those idle for {@link #IDLE_MS}. */
    JsonArray json(long now) {
        for (Iterator<Group> it = groups.values().iterator(); it.hasNext(); ) {
            Group g = it.next();
            if (g.live() == 0 && now - g.lastChange > IDLE_MS) {
                it.remove();
            }
        }
        long[] recent = groups.values().stream().mapToLong(g -> g.lastChange).sorted().toArray();
        long cutoff = recent.length > MAX_SHOWN ? recent[recent.length - MAX_SHOWN] : Long.MIN_VALUE;
        JsonArray out = new JsonArray();
        for (Group g : groups.values()) {
            if (g.lastChange >= cutoff && g.total() > 0) {
                out.add(new JsonObject().put("name", g.name).put("total", g.total()).put("done", g.done())
                        .put("memory", g.memory).put("erred", g.erred).put("processing", g.processing)
                        .put("waiting", g.waiting));
            }
        }
        return out;
    }

    Group group(String name) {
        return groups.get(name);
    }
}
