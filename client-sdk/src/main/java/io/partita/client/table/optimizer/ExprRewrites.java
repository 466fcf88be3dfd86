package io.partita.client.table.optimizer;

import io.partita.client.table.expr.Expr;
import java.util.List;
import java.util.function.UnaryOperator;

/** The generic walk over expressions: rebuild over rewritten children, then apply {@code fn} (bottom-up). */
final class ExprRewrites {
    private ExprRewrites() {}

    static Expr transformUp(Expr e, UnaryOperator<Expr> fn) {
        Expr rebuilt = switch (e) {
            case Expr.Col c -> c;
            case Expr.Lit l -> l;
            case Expr.Binary b -> new Expr.Binary(b.op(), transformUp(b.left(), fn), transformUp(b.right(), fn));
            case Expr.Unary u -> new Expr.Unary(u.op(), transformUp(u.arg(), fn));
            case Expr.Call c -> new Expr.Call(c.fn(), all(c.args(), fn));
            case Expr.IsIn i -> new Expr.IsIn(transformUp(i.arg(), fn), all(i.values(), fn));
            case Expr.Between b -> new Expr.Between(transformUp(b.arg(), fn), transformUp(b.low(), fn),
                    transformUp(b.high(), fn));
            case Expr.Cast c -> new Expr.Cast(transformUp(c.arg(), fn), c.type());
            case Expr.Alias a -> new Expr.Alias(transformUp(a.arg(), fn), a.name());
        };
        return fn.apply(rebuilt);
    }

    private static List<Expr> all(List<Expr> es, UnaryOperator<Expr> fn) {
        return es.stream().map(x -> transformUp(x, fn)).toList();
    }
}
