package io.partita.client.table.expr;

/** Infers an expression's type against a schema, failing with the column, the operation and the schema. */
public final class TypeChecker {
    private TypeChecker() {}

    public static DataType typeOf(Expr e, TableSchema schema) {
        return switch (e) {
            case Expr.Col c -> schema.type(c.name());
            case Expr.Lit l -> l.type();
            case Expr.Alias a -> typeOf(a.arg(), schema);
            case Expr.Cast c -> {
                typeOf(c.arg(), schema);
                yield c.type();
            }
            case Expr.Binary b -> binary(b, schema);
            case Expr.Unary u -> unary(u, schema);
            case Expr.Call c -> CallTypes.typeOf(c, schema);
            case Expr.IsIn i -> {
                DataType a = typeOf(i.arg(), schema);
                for (Expr v : i.values()) {
                    DataType t = typeOf(v, schema);
                    require(a.comparableWith(t), i, "values comparable with " + a, t, schema);
                }
                yield DataType.BOOLEAN;
            }
            case Expr.Between b -> {
                DataType a = typeOf(b.arg(), schema);
                for (Expr bound : java.util.List.of(b.low(), b.high())) {
                    DataType t = typeOf(bound, schema);
                    require(a.comparableWith(t), b, "bounds comparable with " + a, t, schema);
                }
                yield DataType.BOOLEAN;
            }
        };
    }

    /** Checks that {@code e} is a predicate (a filter's condition). */
    public static void requirePredicate(Expr e, TableSchema schema) {
        DataType t = typeOf(e, schema);
        require(t.isBoolean(), e, "a boolean condition", t, schema);
    }

    private static DataType binary(Expr.Binary b, TableSchema schema) {
        DataType l = typeOf(b.left(), schema);
        DataType r = typeOf(b.right(), schema);
        return switch (b.op()) {
            case ADD, SUB, MUL, MOD -> {
                boolean addSub = b.op() == Expr.BinaryOp.ADD || b.op() == Expr.BinaryOp.SUB;
                if (addSub && (l.isTemporal() || r.isTemporal() || l.isInterval() || r.isInterval())) {
                    yield temporal(b, l, r, schema);
                }
                require(l.isNumeric() && r.isNumeric(), b, "numbers", l + " and " + r, schema);
                yield l.isInteger() && r.isInteger() ? wider(l, r)
                        : l.equals(DataType.NULL) ? r : r.equals(DataType.NULL) ? l : DataType.DOUBLE;
            }
            case DIV -> {
                require(l.isNumeric() && r.isNumeric(), b, "numbers", l + " and " + r, schema);
                yield DataType.DOUBLE; // DuckDB's / is true division
            }
            case EQ, NE, LT, LE, GT, GE -> {
                require(l.comparableWith(r), b, "comparable operands", l + " and " + r, schema);
                yield DataType.BOOLEAN;
            }
            case AND, OR -> {
                require(l.isBoolean() && r.isBoolean(), b, "booleans", l + " and " + r, schema);
                yield DataType.BOOLEAN;
            }
        };
    }

    /**
     * Date and timestamp arithmetic, typed as DuckDB does: a date plus or minus whole days (an integer) is a date;
     * a date or timestamp plus or minus an interval is a timestamp; a date minus a date is the days between (BIGINT);
     * a timestamp minus a timestamp an interval; intervals add up. A timestamp plus an integer is refused (DuckDB
     * does not guess a unit: add {@code Exprs.days(n)}).
     */
    private static DataType temporal(Expr.Binary b, DataType l, DataType r, TableSchema schema) {
        boolean sub = b.op() == Expr.BinaryOp.SUB;
        if (l.equals(DataType.DATE) && r.isInteger()) {
            return DataType.DATE;
        }
        if (l.isTemporal() && r.isInterval() || !sub && l.isInterval() && r.isTemporal()) {
            return DataType.TIMESTAMP;
        }
        if (l.isInterval() && r.isInterval()) {
            return DataType.INTERVAL;
        }
        if (sub && l.equals(DataType.DATE) && r.equals(DataType.DATE)) {
            return DataType.BIGINT;
        }
        if (sub && l.isTemporal() && r.isTemporal() && !l.equals(DataType.DATE) && !r.equals(DataType.DATE)) {
            return DataType.INTERVAL;
        }
        require(false, b, "a date and whole days, a date or timestamp and an interval (Exprs.days(n), hours(n), ...), "
                + "or two dates or two timestamps to subtract", l + " and " + r, schema);
        return null;
    }

    private static DataType unary(Expr.Unary u, TableSchema schema) {
        DataType a = typeOf(u.arg(), schema);
        return switch (u.op()) {
            case NOT -> {
                require(a.isBoolean(), u, "a boolean", a, schema);
                yield DataType.BOOLEAN;
            }
            case NEG, ABS -> {
                require(a.isNumeric(), u, "a number", a, schema);
                yield a;
            }
            case IS_NULL, IS_NOT_NULL -> DataType.BOOLEAN;
            case LOWER, UPPER -> {
                require(a.isString(), u, "a string", a, schema);
                yield DataType.VARCHAR;
            }
            case LENGTH -> {
                require(a.isString(), u, "a string", a, schema);
                yield DataType.BIGINT;
            }
        };
    }

    private static DataType wider(DataType l, DataType r) {
        if (l.equals(DataType.NULL)) {
            return r;
        }
        return l.equals(DataType.BIGINT) || r.equals(DataType.BIGINT) || r.equals(DataType.NULL) ? (r.equals(DataType.NULL) ? l : DataType.BIGINT) : l;
    }

    static void require(boolean ok, Expr e, String wanted, Object got, TableSchema schema) {
        if (!ok) {
            throw new PlanException(SqlRenderer.render(e) + " needs " + wanted + ", got " + got + " (schema " + schema + ")");
        }
    }
}
