package io.partita.client.table.expr;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/** The DuckDB type that DuckDB reads an Arrow column as, for tables that start from Arrow partitions. */
public final class ArrowTypes {
    private ArrowTypes() {}

    public static TableSchema schema(Schema arrow) {
        List<TableSchema.Field> fields = new ArrayList<>();
        for (Field f : arrow.getFields()) {
            fields.add(new TableSchema.Field(f.getName(), type(f)));
        }
        return new TableSchema(fields);
    }

    static DataType type(Field f) {
        String sql = io.partita.common.table.DuckTypes.of(f.getType());
        if (sql == null) {
            throw new PlanException("column " + f.getName() + " has the Arrow type " + f.getType()
                    + ", which tables do not support yet");
        }
        return new DataType(sql);
    }
}
