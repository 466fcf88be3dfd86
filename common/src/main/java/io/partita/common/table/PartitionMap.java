package io.partita.common.table;

import io.partita.common.data.Partition;
import io.partita.common.fn.Fn1;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The task function of a {@code mapPartitions} step: the user's function over one partition, its result checked
 * against the schema declared when the frame was built (later steps were planned over it), so a function that
 * returns other columns fails here, naming both schemas, rather than in a later query.
 *
 * @param fn      the user's function; it must return a new partition (made with {@code ArrowMemory.allocator()})
 * @param columns the declared output, "name TYPE" per column, in order (DuckDB type names, as {@link DuckTypes})
 */
public record PartitionMap(Fn1<Partition, Partition> fn, List<String> columns) implements Fn1<Partition, Partition> {
    public PartitionMap {
        columns = List.copyOf(columns);
    }

    @Override
    public Partition apply(Partition in) throws Exception {
        Partition out = fn.apply(in);
        if (out == null) {
            throw new IllegalStateException("the mapPartitions function returned null, not a partition of " + columns);
        }
        if (out == in) { // the worker closes its input view after the task: keep the batches
            out = in.transfer();
        }
        List<String> got = new ArrayList<>();
        for (Field f : out.schema().getFields()) {
            String type = DuckTypes.of(f.getType());
            got.add(f.getName() + " " + (type == null ? f.getType() : type));
        }
        if (!got.equals(columns)) {
            out.close();
            throw new IllegalStateException("the mapPartitions function returned the columns " + got
                    + " but declared " + columns);
        }
        return out;
    }
}
