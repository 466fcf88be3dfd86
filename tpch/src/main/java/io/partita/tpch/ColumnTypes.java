package io.partita.tpch;

import io.trino.tpch.TpchColumn;
import io.trino.tpch.TpchEntity;
import io.trino.tpch.TpchTable;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;
import org.duckdb.DuckDBAppender;

/**
 * TPC-H's column types as DuckDB types: money and quantities (the generator's doubles, always whole cents) are
 * {@code DECIMAL(15,2)}, as the specification says, dates {@code DATE}, keys {@code BIGINT}.
 */
final class ColumnTypes {
    static final String MONEY = "DECIMAL(15,2)";

    private ColumnTypes() {
    }

    static String sqlType(TpchColumn<?> column) {
        return switch (column.getType().getBase()) {
            case INTEGER -> "INTEGER";
            case IDENTIFIER -> "BIGINT";
            case DATE -> "DATE";
            case DOUBLE -> MONEY;
            case VARCHAR -> "VARCHAR";
        };
    }

    /** {@code CREATE TABLE name (...)} with the table's columns. */
    static String createTable(TpchTable<?> table, String name) {
        return "CREATE TABLE " + name + " (" + table.getColumns().stream()
                .map(c -> c.getColumnName() + " " + sqlType(c)).collect(Collectors.joining(", ")) + ")";
    }

    /** Appends one row's values in column order. */
    static <E extends TpchEntity> void appendRow(DuckDBAppender appender, List<TpchColumn<E>> columns, E row) throws SQLException {
        appender.beginRow();
        for (TpchColumn<E> c : columns) {
            switch (c.getType().getBase()) {
                case INTEGER -> appender.append(c.getInteger(row));
                case IDENTIFIER -> appender.append(c.getIdentifier(row));
                case DATE -> appender.appendEpochDays(c.getDate(row));
                // the generator keeps cents and divides by 100: rounding gives the cents back exactly
                case DOUBLE -> appender.appendDecimal(Math.round(c.getDouble(row) * 100));
                case VARCHAR -> appender.append(c.getString(row));
            }
        }
        appender.endRow();
    }
}
