package io.partita.client.table.expr;

import java.util.Locale;
import java.util.Objects;

/** A column type, by its DuckDB name ({@code BIGINT}, {@code VARCHAR}, {@code DECIMAL(12,2)}, ...). */
public record DataType(String sql) {
    public static final DataType BOOLEAN = new DataType("BOOLEAN");
    public static final DataType INTEGER = new DataType("INTEGER");
    public static final DataType BIGINT = new DataType("BIGINT");
    public static final DataType DOUBLE = new DataType("DOUBLE");
    public static final DataType VARCHAR = new DataType("VARCHAR");
    public static final DataType DATE = new DataType("DATE");
    public static final DataType TIMESTAMP = new DataType("TIMESTAMP");
    /** A duration ({@link Exprs#days}, a timestamp minus a timestamp). */
    public static final DataType INTERVAL = new DataType("INTERVAL");
    /** The type of a {@code NULL} literal: fits anywhere. */
    public static final DataType NULL = new DataType("NULL");

    public DataType {
        sql = Objects.requireNonNull(sql, "sql").toUpperCase(Locale.ROOT).strip();
    }

    public boolean isInteger() {
        return sql.matches("(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT))");
    }

    public boolean isNumeric() {
        return isInteger() || sql.equals("DOUBLE") || sql.equals("FLOAT") || sql.startsWith("DECIMAL") || this.equals(NULL);
    }

    public boolean isString() {
        return sql.equals("VARCHAR") || this.equals(NULL);
    }

    public boolean isBoolean() {
        return sql.equals("BOOLEAN") || this.equals(NULL);
    }

    public boolean isInterval() {
        return sql.equals("INTERVAL");
    }

    public boolean isTemporal() {
        return sql.equals("DATE") || sql.startsWith("TIMESTAMP") || sql.equals("TIME");
    }

    /** Whether values of the two types can be compared. */
    public boolean comparableWith(DataType o) {
        return equals(o) || equals(NULL) || o.equals(NULL) || (isNumeric() && o.isNumeric())
                || (isTemporal() && o.isTemporal()) || (isInterval() && o.isInterval()) || (isString() && o.isString());
    }

    @Override
    public String toString() {
        return sql;
    }
}
