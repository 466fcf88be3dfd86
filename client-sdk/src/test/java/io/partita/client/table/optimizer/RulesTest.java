package io.partita.client.table.optimizer;

import static io.partita.client.table.expr.Exprs.col;
import static io.partita.client.table.expr.Exprs.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.partita.client.table.expr.DataType;
import io.partita.client.table.expr.TableSchema;
import io.partita.client.table.physical.StagePlanner;
import io.partita.client.table.plan.Plan;
import io.partita.client.table.plan.PlanPrinter;
import io.partita.client.table.plan.Plans;
import io.partita.client.table.plan.ScanPartition;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each rule alone, plan in and plan out, compared as {@code explain()} prints them; no cluster, no DuckDB. */
class RulesTest {
    private static final TableSchema SCHEMA = new TableSchema(List.of(new TableSchema.Field("a", DataType.BIGINT),
            new TableSchema.Field("b", DataType.INTEGER), new TableSchema.Field("s", DataType.VARCHAR)));
    private static final List<ScanPartition> PARTS = List.of(new ScanPartition("/f.parquet", 0, 1, 0, 10, 100),
            new ScanPartition("/f.parquet", 1, 1, 10, 20, 100), new ScanPartition("/f.parquet", 2, 1, 20, 30, 100));
    private static final Plan SCAN = new Plan.Scan("/t", PARTS, SCHEMA, SCHEMA.names(), null);

    private static String text(Plan p) {
        return PlanPrinter.print(p);
    }

    @Test
    void foldConstantsEvaluatesLiteralsAndDropsAFilterThatIsAlwaysTrue() {
        Plan in = Plans.filter(SCAN, col("a").gt(lit(1).add(2)).and(lit(true)));
        assertThat(text(new FoldConstants().rewrite(in))).isEqualTo("""
                Filter ("a" > 3)
                  Scan /t columns=[a, b, s] partitions=3
                """);
        assertThat(new FoldConstants().rewrite(Plans.filter(SCAN, lit(2).lt(3)))).isEqualTo(SCAN);
        // not folded: an INTEGER overflow is DuckDB's error to raise, a NULL is three-valued
        Plan overflow = Plans.filter(SCAN, col("b").eq(lit(Integer.MAX_VALUE).add(1)));
        assertThat(new FoldConstants().rewrite(overflow)).isEqualTo(overflow);
        Plan withNull = Plans.filter(SCAN, col("a").gt(lit(null).add(1)));
        assertThat(new FoldConstants().rewrite(withNull)).isEqualTo(withNull);
    }

    @Test
    void aFilterMovesThroughARenameIntoTheScanButNotThroughAComputedColumn() {
        Plan renamed = Plans.filter(Plans.rename(SCAN, Map.of("a", "x")), col("x").gt(5L));
        Plan pushed = new PushFilterIntoScan().rewrite(new PushFilterThroughProject().rewrite(renamed));
        assertThat(text(pushed)).isEqualTo("""
                Project "a" AS x, "b", "s"
                  Scan /t columns=[a, b, s] filter=("a" > CAST(5 AS BIGINT)) partitions=3
                """);
        Plan computed = Plans.filter(Plans.withColumn(SCAN, "y", col("a").add(col("b"))), col("y").gt(5));
        assertThat(new PushFilterThroughProject().rewrite(computed)).isEqualTo(computed);
    }

    @Test
    void twoFiltersBecomeOneInTheScan() {
        Plan in = Plans.filter(Plans.filter(SCAN, col("b").eq(2)), col("a").gt(1));
        assertThat(text(new PushFilterIntoScan().rewrite(new PushFilterIntoScan().rewrite(in)))).isEqualTo("""
                Scan /t columns=[a, b, s] filter=(("b" = 2) AND ("a" > 1)) partitions=3
                """);
    }

    @Test
    void pruneColumnsReadsOnlyWhatIsUsedAndIdentityProjectionsGo() {
        Plan in = Plans.aggregate(Plans.withColumn(SCAN, "z", col("s").length()), List.of("b"),
                List.of(new Plan.AggExpr(Plan.AggFn.SUM, "a", "total")));
        Plan out = Optimizer.optimize(in);
        assertThat(text(out)).isEqualTo("""
                Aggregate keys=[b] aggs=sum(a) AS total
                  Scan /t columns=[a, b] partitions=3
                """);
        Plan filtered = Plans.select(Plans.filter(SCAN, col("s").startsWith("x")), List.of(col("a")));
        assertThat(text(Optimizer.optimize(filtered))).isEqualTo("""
                Project "a"
                  Scan /t columns=[a, s] filter=starts_with("s", 'x') partitions=3
                """);
    }

    @Test
    void aBroadcastSideOverTheLimitIsRefusedNamingItsSize() {
        Plan small = new Plan.Scan("/dim", List.of(new ScanPartition("/dim.parquet", 0, 1, 0, 10, 3L << 20)),
                new TableSchema(List.of(new TableSchema.Field("b", DataType.INTEGER), new TableSchema.Field("label", DataType.VARCHAR))),
                List.of("b", "label"), null);
        Plan join = Plans.join(SCAN, small, List.of("b"), Plan.JoinType.INNER);
        assertThat(StagePlanner.plan(join, StagePlanner.Options.of("j")).tasks()).hasSize(4);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> StagePlanner.plan(join,
                        StagePlanner.Options.of("j").withMaxBroadcastBytes(1L << 20)))
                .hasMessageContaining("the broadcast side of the join on [b] reads 3 MiB of /dim (uncompressed), over the 1 MiB limit");
    }

    @Test
    void thePlannerFusesTheChainIntoOneTaskPerPartitionAndBuildsACombineTree() {
        Plan agg = Plans.aggregate(Plans.withColumn(Plans.filter(SCAN, col("a").gt(1)), "y", col("a").mul(2)),
                List.of("b"), List.of(new Plan.AggExpr(Plan.AggFn.MEAN, "y", "m")));
        var physical = StagePlanner.plan(Optimizer.optimize(agg), StagePlanner.Options.of("job").withSplitEvery(2));
        assertThat(physical.stages()).extracting(s -> s.name() + " x" + s.tasks()).containsExactly(
                "scan + filter + project + partial aggregate x3", "combine partial aggregates x2", "combine + final aggregate x1");
        assertThat(physical.tasks()).hasSize(6);
        assertThat(physical.outputs()).containsExactly("aggregate_final.job-0");
        assertThat(physical.tasks().getFirst().stage().sql()).startsWith("SELECT \"b\", CAST(sum(\"y\") AS DOUBLE)")
                .contains("WHERE (\"a\" > 1)");
    }

    @Test
    void aLimitMovesBelowProjectionsButNotBelowAFilterAndTwoLimitsBecomeTheSmaller() {
        Plan in = Plans.limit(Plans.limit(Plans.withColumn(Plans.filter(SCAN, col("b").gt(1)), "y", col("a").mul(2)), 10), 5);
        assertThat(text(new PushLimitThroughProject().rewrite(in))).isEqualTo("""
                Project "a", "b", "s", ("a" * 2) AS y
                  Limit 5
                    Filter ("b" > 1)
                      Scan /t columns=[a, b, s] partitions=3
                """);
        Plan overFilter = Plans.limit(Plans.filter(SCAN, col("b").gt(1)), 5);
        assertThat(new PushLimitThroughProject().rewrite(overFilter)).isSameAs(overFilter);
    }

    @Test
    void filtersAndProjectionsGoIntoEachInputOfAUnionWhichKeepsOneColumnOrder() {
        Plan other = Plans.select(SCAN, List.of(col("s"), col("b"), col("a")));
        Plan union = Plans.union(SCAN, List.of(other));
        assertThat(text(union)).isEqualTo("""
                Union inputs=2
                  Scan /t columns=[a, b, s] partitions=3
                  Project "a", "b", "s"
                    Project "s", "b", "a"
                      Scan /t columns=[a, b, s] partitions=3
                """);
        Plan q = Plans.select(Plans.filter(union, col("b").eq(2)), List.of(col("a")));
        assertThat(text(new PushThroughUnion().rewrite(q))).isEqualTo("""
                Union inputs=2
                  Project "a"
                    Filter ("b" = 2)
                      Scan /t columns=[a, b, s] partitions=3
                  Project "a"
                    Filter ("b" = 2)
                      Project "a", "b", "s"
                        Project "s", "b", "a"
                          Scan /t columns=[a, b, s] partitions=3
                """);
        assertThat(text(Optimizer.optimize(q))).isEqualTo("""
                Union inputs=2
                  Project "a"
                    Scan /t columns=[a, b] filter=("b" = 2) partitions=3
                  Project "a"
                    Scan /t columns=[a, b] filter=("b" = 2) partitions=3
                """);
    }

    @Test
    void aLimitReadsOnlyThePartitionsWhoseRowsItNeedsUnlessAFilterMayDropRows() {
        var plain = StagePlanner.plan(Plans.limit(SCAN, 15), StagePlanner.Options.of("l"));
        assertThat(plain.stages()).extracting(s -> s.name() + " x" + s.tasks()).containsExactly("scan + limit x2", "limit x1");
        var filtered = StagePlanner.plan(Plans.limit(Plans.filter(SCAN, col("b").gt(1)), 15), StagePlanner.Options.of("l"));
        assertThat(filtered.stages()).extracting(s -> s.name() + " x" + s.tasks()).containsExactly("scan + filter + limit x3", "limit x1");
    }

    @Test
    void unionsDistinctsAndAggregatesOfAggregatesAreCutIntoStages() {
        Plan agg = Plans.aggregate(SCAN, List.of("b"), List.of(new Plan.AggExpr(Plan.AggFn.SUM, "a", "t")));
        Plan twice = Plans.aggregate(Plans.filter(agg, col("t").gt(0L)), List.of(), List.of(new Plan.AggExpr(Plan.AggFn.MAX, "t", "m")));
        var physical = StagePlanner.plan(Optimizer.optimize(twice), StagePlanner.Options.of("j"));
        assertThat(physical.stages()).extracting(s -> s.name() + " x" + s.tasks()).containsExactly(
                "scan + partial aggregate x3", "combine + final aggregate x1",
                "aggregated + filter + partial aggregate x1", "combine + final aggregate x1");
        Plan union = Plans.distinct(Plans.union(Plans.select(SCAN, List.of(col("b"))), List.of(Plans.select(SCAN, List.of(col("b"))))));
        var distinct = StagePlanner.plan(Optimizer.optimize(union), StagePlanner.Options.of("d"));
        assertThat(distinct.stages()).extracting(s -> s.name() + " x" + s.tasks()).containsExactly(
                "scan + partial distinct x3", "scan + partial distinct x3", "combine + final distinct x1");
        assertThat(distinct.tasks().getFirst().stage().sql()).isEqualTo("SELECT \"b\" FROM (SELECT \"b\" FROM in0) GROUP BY \"b\"");
    }

    @Test
    void firstCarriesEachPartitionsPositionAndMapPartitionsIsAStageOfItsOwn() {
        Plan first = Plans.aggregate(SCAN, List.of("b"), List.of(new Plan.AggExpr(Plan.AggFn.FIRST, "s", "f")));
        var physical = StagePlanner.plan(first, StagePlanner.Options.of("f"));
        assertThat(physical.tasks()).extracting(t -> t.stage().sql().contains("row_number() OVER () + " + 2 + " * 1099511627776"))
                .containsExactly(false, false, true, false);
        assertThat(physical.tasks().getLast().stage().sql()).contains("arg_min(partita_p0, partita_p0_o)");

        var schema = new TableSchema(List.of(new TableSchema.Field("a", DataType.BIGINT)));
        Plan mapped = Plans.filter(Plans.mapPartitions(Plans.filter(SCAN, col("b").gt(1)), "fn", "myFn", schema), col("a").gt(0L));
        assertThat(text(Optimizer.optimize(mapped))).isEqualTo("""
                Filter ("a" > CAST(0 AS BIGINT))
                  MapPartitions myFn columns=[a]
                    Scan /t columns=[a, b, s] filter=("b" > 1) partitions=3
                """);
        var cut = StagePlanner.plan(Optimizer.optimize(mapped), StagePlanner.Options.of("m"));
        assertThat(cut.stages()).extracting(s -> s.name() + " x" + s.tasks())
                .containsExactly("scan + filter x3", "map partitions x3", "mapped + filter x3");
        assertThat(cut.tasks().get(3).fn()).isEqualTo("fn");
        assertThat(cut.tasks().get(3).inputs()).containsExactly(cut.tasks().getFirst().key());
    }
}
