package io.partita.client.table.optimizer;

import io.partita.client.table.plan.Plan;
import java.util.List;

/** Applies the rules in order, over and over, until none changes the plan (bounded, like DataFusion's passes). */
public final class Optimizer {
    public static final List<Rule> DEFAULT_RULES = List.of(new FoldConstants(), new PushThroughUnion(), new PushFilterThroughProject(),
            new PushLimitThroughProject(),
            new PushFilterIntoScan(), new PruneColumns(), new RemoveIdentityProjects());
    static final int MAX_PASSES = 8;

    private Optimizer() {}

    public static Plan optimize(Plan plan) {
        return optimize(plan, DEFAULT_RULES);
    }

    public static Plan optimize(Plan plan, List<Rule> rules) {
        Plan current = plan;
        for (int pass = 0; pass < MAX_PASSES; pass++) {
            Plan before = current;
            for (Rule rule : rules) {
                current = rule.rewrite(current);
            }
            if (current.equals(before)) {
                break;
            }
        }
        return current;
    }
}
