package io.partita.client.table.optimizer;

import io.partita.client.table.plan.Plan;

/** One optimiser rule: a pure function from plan to plan, returning the same instance when nothing applies. */
public interface Rule {
    String name();

    Plan rewrite(Plan plan);
}
