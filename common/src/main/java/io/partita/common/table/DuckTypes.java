package io.partita.common.table;

import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;

/** The DuckDB type that DuckDB reads an Arrow column as: one mapping for the client's schemas and the workers' checks. */
public final class DuckTypes {
    private DuckTypes() {}

    /** The DuckDB type's name, or null for an Arrow type that tables do not support yet. */
    public static String of(ArrowType type) {
        return switch (type) {
            case ArrowType.Bool b -> "BOOLEAN";
            case ArrowType.Int i -> (i.getIsSigned() ? "" : "U") + switch (i.getBitWidth()) {
                case 8 -> "TINYINT";
                case 16 -> "SMALLINT";
                case 32 -> "INTEGER";
                default -> "BIGINT";
            };
            case ArrowType.FloatingPoint p -> p.getPrecision() == FloatingPointPrecision.DOUBLE ? "DOUBLE" : "FLOAT";
            case ArrowType.Utf8 u -> "VARCHAR";
            case ArrowType.LargeUtf8 u -> "VARCHAR";
            case ArrowType.Utf8View u -> "VARCHAR";
            case ArrowType.Date d -> "DATE";
            case ArrowType.Timestamp t -> t.getTimezone() == null ? "TIMESTAMP" : "TIMESTAMP WITH TIME ZONE";
            case ArrowType.Decimal d -> "DECIMAL(" + d.getPrecision() + "," + d.getScale() + ")";
            case ArrowType.Binary b -> "BLOB";
            default -> null;
        };
    }
}
