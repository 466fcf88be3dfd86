package io.partita.client.table.expr;

import java.time.LocalDate;
import java.util.List;
import java.util.stream.Collectors;

/** Writes an expression as DuckDB SQL; every operation is parenthesised, so precedence never matters. */
public final class SqlRenderer {
    private SqlRenderer() {}

    public static String ident(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public static String string(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    public static String render(Expr e) {
        return switch (e) {
            case Expr.Col c -> ident(c.name());
            case Expr.Lit l -> literal(l);
            case Expr.Binary b -> "(" + render(b.left()) + " " + binary(b.op()) + " " + render(b.right()) + ")";
            case Expr.Unary u -> unary(u);
            case Expr.Call c -> call(c);
            case Expr.IsIn i -> "(" + render(i.arg()) + " IN ("
                    + i.values().stream().map(SqlRenderer::render).collect(Collectors.joining(", ")) + "))";
            case Expr.Between b -> "(" + render(b.arg()) + " BETWEEN " + render(b.low()) + " AND " + render(b.high()) + ")";
            case Expr.Cast c -> "CAST(" + render(c.arg()) + " AS " + c.type().sql() + ")";
            case Expr.Alias a -> render(a.arg());
        };
    }

    private static String call(Expr.Call c) {
        List<String> args = c.args().stream().map(SqlRenderer::render).toList();
        return switch (c.fn()) {
            case LIKE -> "(" + args.get(0) + " LIKE " + args.get(1) + ")";
            case DAY_OF_WEEK -> "isodow(" + args.get(0) + ")";
            case DATE_TRUNC -> "date_trunc(" + args.get(1) + ", " + args.get(0) + ")";
            case CASE -> {
                StringBuilder b = new StringBuilder("CASE");
                for (int i = 0; i + 1 < args.size(); i += 2) {
                    b.append(" WHEN ").append(args.get(i)).append(" THEN ").append(args.get(i + 1));
                }
                yield b.append(" ELSE ").append(args.getLast()).append(" END").toString();
            }
            default -> c.fn().name().toLowerCase(java.util.Locale.ROOT) + "(" + String.join(", ", args) + ")";
        };
    }

    private static String literal(Expr.Lit l) {
        return switch (l.value()) {
            case null -> "NULL";
            case String s -> string(s);
            case LocalDate d -> "DATE " + string(d.toString());
            case java.time.LocalDateTime t -> "TIMESTAMP " + string(t.toString().replace('T', ' '));
            case java.time.Instant t -> "TIMESTAMP " + string(java.time.LocalDateTime.ofInstant(t, java.time.ZoneOffset.UTC)
                    .toString().replace('T', ' '));
            // an interval of whole microseconds (DuckDB's resolution): days, hours, ... all fit
            case java.time.Duration d -> "to_microseconds(CAST(" + (d.getSeconds() * 1_000_000L + d.getNano() / 1_000) + " AS BIGINT))";
            case Long v -> "CAST(" + v + " AS BIGINT)";
            case Double d when d.isNaN() || d.isInfinite() -> "CAST(" + string(d.toString()) + " AS DOUBLE)";
            case Double d -> "CAST(" + d + " AS DOUBLE)";
            default -> String.valueOf(l.value());
        };
    }

    private static String binary(Expr.BinaryOp op) {
        return switch (op) {
            case ADD -> "+";
            case SUB -> "-";
            case MUL -> "*";
            case DIV -> "/";
            case MOD -> "%";
            case EQ -> "=";
            case NE -> "<>";
            case LT -> "<";
            case LE -> "<=";
            case GT -> ">";
            case GE -> ">=";
            case AND -> "AND";
            case OR -> "OR";
        };
    }

    private static String unary(Expr.Unary u) {
        String a = render(u.arg());
        return switch (u.op()) {
            case NOT -> "(NOT " + a + ")";
            case NEG -> "(- " + a + ")";
            case IS_NULL -> "(" + a + " IS NULL)";
            case IS_NOT_NULL -> "(" + a + " IS NOT NULL)";
            case ABS -> "abs(" + a + ")";
            case LOWER -> "lower(" + a + ")";
            case UPPER -> "upper(" + a + ")";
            case LENGTH -> "length(" + a + ")";
        };
    }
}
