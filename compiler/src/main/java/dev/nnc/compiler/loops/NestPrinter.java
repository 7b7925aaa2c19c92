package dev.nnc.compiler.loops;

import java.util.List;

/**
 * A loop nest as text, one statement a line, for tests and for reading what the scheduler did.
 * Nodes print as the graph printer names them ({@code %3}).
 *
 * <pre>
 * for c < 6
 *   best = -Infinity
 *   let iy = oy * 2 + ky
 *   if 0 <= iy < 28
 *     best = max(best, %3[c * 784 + iy * 28 + ix])
 * </pre>
 */
public final class NestPrinter {
    private final StringBuilder text = new StringBuilder();

    private NestPrinter() {}

    public static String print(List<Stmt> nest) {
        NestPrinter printer = new NestPrinter();
        printer.block(nest, "");
        return printer.text.toString();
    }

    private void block(List<Stmt> body, String indent) {
        body.forEach(s -> statement(s, indent));
    }

    private void statement(Stmt stmt, String indent) {
        text.append(indent);
        if (stmt instanceof Stmt.Loop loop) {
            line(
                    loop.isWhole()
                            ? "for " + loop.variable() + " < " + loop.extent()
                            : "for " + loop.variable() + " from " + loop.from().text() + " to "
                                    + loop.to().text());
            block(loop.body(), indent + "  ");
        } else if (stmt instanceof Stmt.Let let) {
            line("let " + let.name() + " = " + affine(let.value()));
        } else if (stmt instanceof Stmt.Within within) {
            String position = affine(within.position());
            String low = within.low() ? "0 <= " : "";
            String high = within.high() ? " < " + within.extent() : "";
            line("if " + low + position + high);
            block(within.body(), indent + "  ");
            if (!within.otherwise().isEmpty()) {
                text.append(indent);
                line("else");
                block(within.otherwise(), indent + "  ");
            }
        } else if (stmt instanceof Stmt.Split split) {
            StringBuilder cut = new StringBuilder("split " + split.variable());
            if (split.from() instanceof Bound.Named from) {
                cut.append(" from ")
                        .append(from.name())
                        .append(" = Math.min(")
                        .append(split.extent())
                        .append(", ")
                        .append(split.first().text())
                        .append(')');
            }
            if (split.to() instanceof Bound.Named to) {
                cut.append(" to ")
                        .append(to.name())
                        .append(" = Math.max(")
                        .append(split.from().text())
                        .append(", ")
                        .append(split.end().text())
                        .append(')');
            }
            line(cut.toString());
        } else if (stmt instanceof Stmt.Run run) {
            line((run.value() instanceof Value.Literal ? "fill " : "copy ") + run.variable() + " from "
                    + run.from().text() + " to " + run.to().text() + ": " + run.array() + "["
                    + affine(run.row()) + "][" + affine(run.column()) + "] = " + value(run.value()));
        } else if (stmt instanceof Stmt.Declare declare) {
            line(declare.name() + " = " + value(declare.initial()));
        } else if (stmt instanceof Stmt.Assign assign) {
            line(assign.name() + " := " + value(assign.value()));
        } else if (stmt instanceof Stmt.Store store) {
            line(element(store.node(), store.place()) + (store.accumulate() ? " += " : " = ") + value(store.value()));
        } else if (stmt instanceof Stmt.StoreCell store) {
            line(store.array() + "[" + affine(store.row()) + "][" + affine(store.column()) + "] = "
                    + value(store.value()));
        } else if (stmt instanceof Stmt.ZeroIfInfinite zero) {
            line(zero.name() + " := 0 if infinite");
        } else if (stmt instanceof Stmt.Position position) {
            line("position " + position.name());
        } else if (stmt instanceof Stmt.KeepFirstMaximum keep) {
            line("first maximum " + keep.best() + " at " + keep.position() + " <- " + keep.candidate() + " at "
                    + affine(keep.at()));
        } else if (stmt instanceof Stmt.KeepFirstEqual keep) {
            line("first equal to " + keep.target() + " at " + keep.position() + " <- " + value(keep.candidate())
                    + " at " + affine(keep.at()));
        } else if (stmt instanceof Stmt.IfNotNaN test) {
            line("if " + test.name() + " is not NaN");
            block(test.body(), indent + "  ");
            text.append(indent);
            line("else");
            block(test.otherwise(), indent + "  ");
        } else if (stmt instanceof Stmt.Product product) {
            String start = "";
            if (product.addend() instanceof Stmt.Product.Addend.Element e) {
                start = "%" + e.node() + "[j] + ";
            } else if (product.addend() instanceof Stmt.Product.Addend.Row r) {
                start = r.array() + "[b] + ";
            }
            line("product b < " + product.samples().text() + ": " + rows(product.y()) + " = " + start
                    + rows(product.x()) + " " + product.weight() + " (" + product.inner() + " x " + product.width()
                    + ")");
        } else if (stmt instanceof Stmt.OuterSum sum) {
            String terms = sum.terms() == 1 ? "" : " t < " + sum.terms() + ":";
            line("outer sum b < " + sum.samples().text() + ":" + terms + " "
                    + sum.sums().array()
                    + (sum.sums().flat() ? "[c * " + sum.width() + "...]" : "[c]") + " += "
                    + rows(sum.scalars()) + (sum.terms() == 1 ? "[c] " : "[t][c] ") + rows(sum.rows())
                    + (sum.terms() == 1 ? "" : "[t]") + " (" + sum.count() + " x " + sum.width() + ")"
                    + sum.clearWhile()
                            .map(flag -> ", cleared first while " + flag)
                            .orElse(""));
        } else if (stmt instanceof Stmt.PatchProduct product) {
            line(patchProduct(product));
        } else if (stmt instanceof Stmt.Activate a) {
            line("for " + a.variable() + " from " + a.from() + " to " + (a.from() + a.count()) + ": " + a.array()
                    + "[" + affine(a.row()) + "][" + a.variable() + "] = "
                    + a.function().name().toLowerCase(java.util.Locale.ROOT) + "(" + value(a.value()) + ")");
        } else {
            throw new IllegalStateException("unknown statement " + stmt);
        }
    }

    // product f < 16, o < 64: %7[f * 64 + o] = %3[f] + Σ k < 9: %2[f * 9 + k] patches[k][o]
    private static String patchProduct(Stmt.PatchProduct p) {
        String i = p.row();
        String k = p.term();
        String j = p.column();
        String target = p.c() instanceof Stmt.PatchProduct.Target.Scratch scratch
                ? scratch.array() + "[" + i + "][" + j + "]"
                : node((Stmt.PatchProduct.Target.Node) p.c(), i, j);
        String start = "";
        if (p.start() instanceof Stmt.PatchProduct.Start.ByRow row) {
            start = "%" + row.node() + "[" + i + "] + ";
        } else if (p.start() instanceof Stmt.PatchProduct.Start.ByColumn column) {
            start = "%" + column.node() + "[" + j + "] + ";
        }
        String a = p.a() instanceof Stmt.PatchProduct.Factor.Scratch scratch
                ? scratch.array() + "[" + i + "][" + k + "]"
                : factor((Stmt.PatchProduct.Factor.Node) p.a(), i, k);
        return "product " + i + " < " + p.rows() + ", " + j + " < " + p.width() + ": " + target + " = " + start + "Σ "
                + k + " < " + p.inner() + ": " + a + " " + p.b() + "[" + k + "][" + j + "]";
    }

    private static String node(Stmt.PatchProduct.Target.Node c, String i, String j) {
        return "%" + c.node() + "[" + strided(c.byRows() ? i : j, c.stride(), c.byRows() ? j : i) + "]";
    }

    private static String factor(Stmt.PatchProduct.Factor.Node a, String i, String k) {
        return "%" + a.node() + "[" + strided(a.byRows() ? i : k, a.stride(), a.byRows() ? k : i) + "]";
    }

    private static String strided(String outer, int stride, String inner) {
        return Affine.of(outer).times(stride).plus(Affine.of(inner)).text();
    }

    private static String rows(Stmt.Product.Rows rows) {
        return rows instanceof Stmt.Product.Rows.Scratch scratch
                ? scratch.array() + "[b]"
                : "%" + ((Stmt.Product.Rows.Sample) rows).node();
    }

    private void line(String s) {
        text.append(s).append('\n');
    }

    private static String value(Value v) {
        if (v instanceof Value.Literal literal) {
            double d = literal.value();
            return d == Math.rint(d) && !Double.isInfinite(d) ? Long.toString((long) d) : Double.toString(d);
        }
        if (v instanceof Value.Local local) {
            return local.name();
        }
        if (v instanceof Value.Load load) {
            return element(load.node(), load.place());
        }
        if (v instanceof Value.Elementwise e) {
            return "op " + element(e.node(), e.place());
        }
        if (v instanceof Value.Cell cell) {
            return cell.array() + "[" + affine(cell.row()) + "][" + affine(cell.column()) + "]";
        }
        if (v instanceof Value.Sum sum) {
            return "(" + value(sum.left()) + " + " + value(sum.right()) + ")";
        }
        if (v instanceof Value.Product p) {
            return "(" + value(p.left()) + " * " + value(p.right()) + ")";
        }
        if (v instanceof Value.Quotient q) {
            return "(" + value(q.left()) + " / " + value(q.right()) + ")";
        }
        if (v instanceof Value.Difference d) {
            return "(" + value(d.left()) + " - " + value(d.right()) + ")";
        }
        if (v instanceof Value.Maximum max) {
            return "max(" + value(max.left()) + ", " + value(max.right()) + ")";
        }
        if (v instanceof Value.Positive p) {
            return "(" + value(p.test()) + " > 0 ? " + value(p.then()) + " : 0)";
        }
        if (v instanceof Value.Call call) {
            return call.function().method() + "(" + value(call.argument()) + ")";
        }
        if (v instanceof Value.Total total) {
            String axes = total.axes().stream()
                    .map(a -> a.variable() + " < " + a.extent())
                    .collect(java.util.stream.Collectors.joining(", "));
            return "sum(" + axes + ": " + value(total.term()) + ")";
        }
        throw new IllegalStateException("unknown value " + v);
    }

    private static String element(int node, Place place) {
        String at = place instanceof Place.At a ? affine(a.position()) : ((Place.Found) place).position();
        return "%" + node + "[" + at + "]";
    }

    private static String affine(Affine a) {
        return a.text();
    }
}
