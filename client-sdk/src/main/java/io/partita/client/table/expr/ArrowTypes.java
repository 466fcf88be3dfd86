package io.partita.client.table.expr;

import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
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
        String sql = switch (f.getType()) {
            case ArrowType.Bool b -> "BOOLEAN";
            case ArrowType.Int i -> (i.getIsSigned() ? "" : "U") + switch (i.getBitWidth()) {
                case 8 -> "TINYINT";
                case 16 -> "SMALLINT";
                case 32 -> "INTEGER";
                default -> "BIGINT";
            };
            case ArrowType.FloatingPoint p -> p.getPrecision() == org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE
                    ? "DOUBLE" : "FLOAT";
            case ArrowType.Utf8 u -> "VARCHAR";
            case ArrowType.LargeUtf8 u -> "VARCHAR";
            case ArrowType.Utf8View u -> "VARCHAR";
            case ArrowType.Date d -> "DATE";
            case ArrowType.Timestamp t -> t.getTimezone() == null ? "TIMESTAMP" : "TIMESTAMP WITH TIME ZONE";
            case ArrowType.Decimal d -> "DECIMAL(" + d.getPrecision() + "," + d.getScale() + ")";
            case ArrowType.Binary b -> "BLOB";
            default -> throw new PlanException("column " + f.getName() + " has the Arrow type " + f.getType()
                    + ", which tables do not support yet");
        };
        return new DataType(sql);
    }
}
