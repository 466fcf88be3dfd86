package io.partita.client.table.expr;

import java.util.ArrayList;
import java.util.List;

/** The types of {@link Expr.Call}s. */
final class CallTypes {
    static final List<String> TRUNC_UNITS = List.of("year", "quarter", "month", "week", "day", "hour", "minute", "second");

    private CallTypes() {}

    static DataType typeOf(Expr.Call c, TableSchema schema) {
        List<DataType> args = new ArrayList<>();
        for (Expr e : c.args()) {
            args.add(TypeChecker.typeOf(e, schema));
        }
        DataType a = args.getFirst();
        return switch (c.fn()) {
            case CONTAINS, STARTS_WITH, LIKE -> {
                TypeChecker.require(a.isString(), c, "a string", a, schema);
                yield DataType.BOOLEAN;
            }
            case SUBSTR -> {
                TypeChecker.require(a.isString(), c, "a string", a, schema);
                yield DataType.VARCHAR;
            }
            case ROUND -> {
                TypeChecker.require(a.isNumeric(), c, "a number", a, schema);
                yield a;
            }
            case YEAR, MONTH, DAY, HOUR, MINUTE, SECOND, DAY_OF_WEEK -> {
                TypeChecker.require(a.isTemporal(), c, "a date or timestamp", a, schema);
                yield DataType.BIGINT;
            }
            case DATE_TRUNC -> {
                TypeChecker.require(a.isTemporal(), c, "a date or timestamp", a, schema);
                String unit = (String) ((Expr.Lit) c.args().get(1)).value();
                TypeChecker.require(TRUNC_UNITS.contains(unit), c, "a unit of " + TRUNC_UNITS, unit, schema);
                yield DataType.TIMESTAMP;
            }
            case COALESCE -> common(c, args, schema);
            case CASE -> {
                List<DataType> values = new ArrayList<>();
                for (int i = 0; i + 1 < args.size(); i += 2) {
                    TypeChecker.require(args.get(i).isBoolean(), c, "boolean conditions", args.get(i), schema);
                    values.add(args.get(i + 1));
                }
                values.add(args.getLast());
                yield common(c, values, schema);
            }
        };
    }

    /** The type that all of {@code types} fit: integers widen to BIGINT, mixed numbers to DOUBLE. */
    private static DataType common(Expr e, List<DataType> types, TableSchema schema) {
        DataType out = DataType.NULL;
        for (DataType t : types) {
            TypeChecker.require(out.comparableWith(t), e, "values of one type", out + " and " + t, schema);
            if (out.equals(DataType.NULL)) {
                out = t;
            } else if (!t.equals(DataType.NULL) && !t.equals(out)) {
                out = out.isInteger() && t.isInteger() ? DataType.BIGINT : out.isNumeric() && t.isNumeric() ? DataType.DOUBLE : out;
            }
        }
        return out;
    }
}
