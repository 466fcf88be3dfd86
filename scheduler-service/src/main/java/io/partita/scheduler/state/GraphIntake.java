package io.partita.scheduler.state;

import io.partita.common.protocol.ClientUpdate;
import io.partita.common.protocol.ClientUpdate.KeyErred;
import io.partita.common.task.GraphSpec;
import io.partita.common.task.TaskSpec;
import io.partita.scheduler.state.Event.GraphSubmitted;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/** Graphs coming in: validated, their tasks added and linked, the client's references counted, stored for a standby. */
final class GraphIntake {
    private final StateContext ctx;
    private final GraphValidator validator;
    private final Cascades cascades;
    private final AcceptedGraphs accepted;

    GraphIntake(StateContext ctx, GraphValidator validator, Cascades cascades, AcceptedGraphs accepted) {
        this.ctx = ctx;
        this.validator = validator;
        this.cascades = cascades;
        this.accepted = accepted;
    }

    /**
     * Validates first: a refused graph is neither stored nor run. A graph already accepted (sent again after a
     * failover, though the previous scheduler had stored it: it was replayed) is answered at once.
     */
    void onGraphSubmitted(GraphSubmitted e) {
        if (accepted.holds(e.clientId(), e.requestId())) {
            ctx.out.toClient(e.clientId(), new ClientUpdate.GraphAccepted(e.requestId(), accepted.taskCount(e.clientId(), e.requestId())));
            return;
        }
        int pending = accepted.pending(e.clientId());
        if (pending >= ctx.limits.maxPendingGraphs()) {
            ctx.out.toClient(e.clientId(), new ClientUpdate.RequestFailed(e.requestId(), pending + " graphs of this client "
                    + "are still being stored and unanswered (--max-pending-graphs " + ctx.limits.maxPendingGraphs()
                    + "): wait for their GraphAccepted before submitting more"));
            return;
        }
        Optional<String> problem = validator.validate(e.graph(), ctx.tasks::containsKey);
        if (problem.isPresent()) {
            ctx.out.toClient(e.clientId(), new ClientUpdate.RequestFailed(e.requestId(), problem.get()));
            return;
        }
        addGraph(e.clientId(), e.requestId(), e.graph(), e.encoded(), false);
    }

    /**
     * A graph the previous active scheduler had accepted, read back by this one taking over. Checked as a submitted
     * graph is: one that cannot be added (an input that was not stored with it) is refused, not half added.
     */
    void onGraphReplayed(Event.GraphReplayed e) {
        Optional<String> problem = validator.validate(e.graph(), ctx.tasks::containsKey);
        if (problem.isPresent()) {
            ctx.out.toClient(e.clientId(), new ClientUpdate.RequestFailed(e.requestId(),
                    "the scheduler that took over could not replay this graph: " + problem.get()));
            return;
        }
        addGraph(e.clientId(), e.requestId(), e.graph(), null, true);
    }

    /** Adds a valid graph's tasks and the client's references; runs it at once (its answer waits for the store). */
    void addGraph(String clientId, long requestId, GraphSpec graph, byte[] encoded, boolean replayed) {
        ctx.clients.computeIfAbsent(clientId, c -> new HashMap<>());
        graph.functions().forEach(f -> ctx.functions.putIfAbsent(f.id(), f));
        List<TaskRecord> added = new ArrayList<>();
        List<TaskSpec> fresh = graph.tasks().stream().filter(s -> !ctx.tasks.containsKey(s.key())).toList();
        for (TaskSpec spec : GraphOrder.order(fresh)) { // seq: earlier graphs first, then the graph's own order
            TaskRecord t = new TaskRecord(spec, ctx.groupOf(spec.key()), new ArrayList<>(), ctx.seq++);
            ctx.add(t);
            ctx.functionRefs.merge(spec.function(), 1, Integer::sum);
            added.add(t);
        }
        for (TaskRecord t : added) {
            for (String depKey : new LinkedHashSet<>(t.spec.dependencies())) {
                TaskRecord d = ctx.tasks.get(depKey);
                t.dependencies.add(d);
                d.dependents.add(t);
            }
        }
        if (graph.wanted().isEmpty()) { // nothing to replay: answered at once
            ctx.out.toClient(clientId, new ClientUpdate.GraphAccepted(requestId, graph.tasks().size()));
        } else {
            accepted.accepted(clientId, requestId, graph.tasks().size(), graph.wanted(), replayed,
                    new Instruction.PersistGraph(ctx.stimulus, clientId, requestId, graph, encoded));
        }
        for (String key : graph.wanted()) {
            TaskRecord t = ctx.tasks.get(key);
            t.clientRefs.merge(clientId, 1, Integer::sum);
            ctx.clients.get(clientId).merge(key, 1, Integer::sum);
        }
        for (String key : new LinkedHashSet<>(graph.wanted())) {
            TaskRecord t = ctx.tasks.get(key);
            switch (t.state) {
                case RELEASED -> cascades.toWaiting(t);
                case MEMORY -> ctx.out.finished(clientId, StateContext.keyFinished(t));
                case ERRED -> ctx.out.erred(clientId, new KeyErred(key, t.error));
                default -> { }
            }
        }
        ctx.releaseCandidates.addAll(added); // tasks of the graph that nothing wants are dropped at once
    }
}
