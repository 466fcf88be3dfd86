package io.partita.benchmarks;

import static io.partita.client.table.expr.Exprs.col;
import static io.partita.client.table.expr.Exprs.lit;
import static io.partita.client.table.expr.Exprs.when;

import io.partita.client.Agg;
import io.partita.client.Frame;
import io.partita.common.data.Partition;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;

/**
 * The tables benchmark's queries written with the Frame API; the same as benchmarks/tables/queries.sql (which names
 * each query's checksum column). Frames have no {@code orderBy} yet: Q1's four groups come back unordered (its
 * ordering is left out, for every engine's answer is compared as a set).
 */
final class TablesQueries {
    private TablesQueries() {
    }

    /** Each query, by name, from the lineitem and part frames. */
    static Map<String, BiFunction<Frame, Frame, Frame>> all() {
        Map<String, BiFunction<Frame, Frame, Frame>> q = new LinkedHashMap<>();
        q.put("q1", (l, p) -> l.filter(col("l_shipdate").le(lit(LocalDate.of(1998, 9, 2))))
                .withColumn("disc_price", col("l_extendedprice").mul(lit(1).sub(col("l_discount"))))
                .withColumn("charge", col("l_extendedprice").mul(lit(1).sub(col("l_discount"))).mul(lit(1).add(col("l_tax"))))
                .groupBy("l_returnflag", "l_linestatus")
                .agg(Agg.sum("l_quantity").as("sum_qty"), Agg.sum("l_extendedprice").as("sum_base_price"),
                        Agg.sum("disc_price").as("sum_disc_price"), Agg.sum("charge").as("sum_charge"),
                        Agg.mean("l_quantity").as("avg_qty"), Agg.mean("l_extendedprice").as("avg_price"),
                        Agg.mean("l_discount").as("avg_disc"), Agg.countAll().as("count_order")));
        q.put("q6", (l, p) -> l.filter(col("l_shipdate").ge(lit(LocalDate.of(1994, 1, 1)))
                        .and(col("l_shipdate").lt(lit(LocalDate.of(1995, 1, 1))))
                        .and(col("l_discount").between(0.05, 0.07)).and(col("l_quantity").lt(24)))
                .withColumn("r", col("l_extendedprice").mul(col("l_discount")))
                .agg(Agg.sum("r").as("revenue")));
        q.put("groupby-100", (l, p) -> l.withColumn("k", col("l_suppkey").mod(100)).groupBy("k")
                .agg(Agg.sum("l_extendedprice").as("s")));
        q.put("groupby-partkey", (l, p) -> l.groupBy("l_partkey").agg(Agg.sum("l_quantity").as("s")));
        q.put("filter-count", (l, p) -> l.filter(col("l_shipmode").eq("AIR").and(col("l_quantity").lt(10)))
                .agg(Agg.countAll().as("n")));
        q.put("join-part", (l, p) -> l.filter(col("l_shipdate").ge(lit(LocalDate.of(1995, 9, 1)))
                        .and(col("l_shipdate").lt(lit(LocalDate.of(1995, 10, 1)))))
                .join(p.select(col("p_partkey").as("l_partkey"), col("p_type")), "l_partkey")
                .withColumn("rev", col("l_extendedprice").mul(lit(1).sub(col("l_discount"))))
                .withColumn("promo", when(col("p_type").like("PROMO%"), col("rev")).otherwise(lit(0)))
                .agg(Agg.sum("promo").as("promo"), Agg.sum("rev").as("rev"))
                .select(lit(100.0).mul(col("promo")).div(col("rev")).as("promo_revenue")));
        return q;
    }

    /** The answer's rows, and the sum of column {@code check} over them as a double. */
    static double[] rowsAndChecksum(Partition result, String check) {
        long rows = 0;
        double sum = 0;
        for (VectorSchemaRoot batch : result.batches()) {
            FieldVector v = batch.getVector(check);
            for (int i = 0; i < batch.getRowCount(); i++) {
                Object x = v.getObject(i);
                sum += x == null ? 0 : ((Number) x).doubleValue();
            }
            rows += batch.getRowCount();
        }
        return new double[] {rows, sum};
    }
}
