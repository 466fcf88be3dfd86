package io.partita.client.table.optimizer;

import io.partita.client.table.plan.Plan;

/**
 * Drops a projection that passes its input's columns through unchanged (what pruning leaves of a
 * {@code withColumn} nobody reads).
 *
 * <pre>
 * Project a, b          Scan t columns=[a, b]
 *   Scan t columns=[a, b]
 * </pre>
 */
public final class RemoveIdentityProjects implements Rule {
    @Override
    public String name() {
        return "remove_identity_projects";
    }

    @Override
    public Plan rewrite(Plan plan) {
        return Rewrites.transformUp(plan, node ->
                node instanceof Plan.Project p && PruneColumns.isIdentity(p) ? p.input() : node);
    }
}
