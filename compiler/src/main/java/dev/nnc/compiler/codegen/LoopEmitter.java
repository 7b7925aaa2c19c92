package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.loops.Affine;
import dev.nnc.compiler.loops.Bound;
import dev.nnc.compiler.loops.Place;
import dev.nnc.compiler.loops.Stmt;
import dev.nnc.compiler.loops.Value;
import java.util.List;

/**
 * Writes a scheduled loop nest ({@link dev.nnc.compiler.loops.Loops}) as Java statements. It knows
 * nothing of the op the nest came from: a load or a store of a node goes through {@link
 * KernelEmitter#ref} and {@link KernelEmitter#slot}, so the same nest serves a per-sample array,
 * a row of a tile, or a view such as a reshape.
 */
final class LoopEmitter {
    private final KernelEmitter kernel;
    private final Numeric numeric;

    LoopEmitter(KernelEmitter kernel, Numeric numeric) {
        this.kernel = kernel;
        this.numeric = numeric;
    }

    CodeBlock emit(List<Stmt> nest) {
        CodeBlock.Builder code = CodeBlock.builder();
        nest.forEach(s -> statement(code, s));
        return code.build();
    }

    /**
     * A loop bound as Java, {@code Math} named through {@link JavaLang#MATH} so that JavaPoet
     * qualifies it in a class that is itself called {@code Math} ({@link Bound#text} is the
     * printed form, which names it plainly).
     */
    private static CodeBlock bound(Bound bound) {
        if (bound instanceof Bound.FirstFrom first) {
            Affine n = first.numerator();
            CodeBlock ceiling = first.divisor() == 1
                    ? CodeBlock.of("$L", n.text())
                    : CodeBlock.of(
                            "$T.floorDiv($L, $L)",
                            JavaLang.MATH,
                            n.plus(first.divisor() - 1).text(),
                            first.divisor());
            return CodeBlock.of("$T.max(0, $L)", JavaLang.MATH, ceiling);
        }
        if (bound instanceof Bound.EndBy end) {
            CodeBlock past = end.divisor() == 1
                    ? CodeBlock.of("$L", end.numerator().plus(1).text())
                    : CodeBlock.of(
                            "$T.floorDiv($L, $L) + 1",
                            JavaLang.MATH,
                            end.numerator().text(),
                            end.divisor());
            return CodeBlock.of("$T.min($L, $L)", JavaLang.MATH, end.extent(), past);
        }
        return CodeBlock.of("$L", ((Bound.Fixed) bound).value());
    }

    private void statement(CodeBlock.Builder code, Stmt stmt) {
        if (stmt instanceof Stmt.Loop loop) {
            code.beginControlFlow(
                    "for (int $1N = $2L; $1N < $3L; $1N++)", loop.variable(), bound(loop.from()), bound(loop.to()));
            loop.body().forEach(s -> statement(code, s));
            code.endControlFlow();
        } else if (stmt instanceof Stmt.Let let) {
            code.addStatement("int $N = $L", let.name(), affine(let.value()));
        } else if (stmt instanceof Stmt.Within within) {
            code.beginControlFlow("if ($L)", bounds(within));
            within.body().forEach(s -> statement(code, s));
            code.endControlFlow();
        } else if (stmt instanceof Stmt.Declare declare) {
            code.addStatement("$T $N = $L", numeric.type(), declare.name(), value(declare.initial()));
        } else if (stmt instanceof Stmt.Assign assign) {
            assign(code, assign);
        } else if (stmt instanceof Stmt.Store store) {
            CodeBlock target = kernel.slot(store.node(), place(store.place()));
            code.addStatement("$L $L $L", target, store.accumulate() ? "+=" : "=", value(store.value()));
        } else if (stmt instanceof Stmt.StoreCell store) {
            code.addStatement(
                    "$N[$L][$L] = $L",
                    store.array(),
                    affine(store.row()),
                    affine(store.column()),
                    value(store.value()));
        } else if (stmt instanceof Stmt.Position position) {
            code.addStatement("int $N = -1", position.name());
        } else if (stmt instanceof Stmt.KeepFirstMaximum keep) {
            code.beginControlFlow("if ($1N < 0 || $2N > $3N)", keep.position(), keep.candidate(), keep.best())
                    .addStatement("$N = $N", keep.best(), keep.candidate())
                    .addStatement("$N = $L", keep.position(), affine(keep.at()))
                    .endControlFlow();
        } else {
            throw new InternalCompilerError("no Java for " + stmt);
        }
    }

    /** {@code s = s + x} reads as {@code s += x}: the same rounding in float and in double. */
    private void assign(CodeBlock.Builder code, Stmt.Assign assign) {
        if (assign.value() instanceof Value.Sum sum
                && sum.left() instanceof Value.Local local
                && local.name().equals(assign.name())) {
            code.addStatement("$N += $L", assign.name(), value(sum.right()));
        } else {
            code.addStatement("$N = $L", assign.name(), value(assign.value()));
        }
    }

    private CodeBlock bounds(Stmt.Within within) {
        CodeBlock position = affine(within.position());
        if (within.low() && within.high()) {
            return CodeBlock.of("$1L >= 0 && $1L < $2L", position, within.extent());
        }
        if (within.low()) {
            return CodeBlock.of("$L >= 0", position);
        }
        return CodeBlock.of("$L < $L", position, within.extent());
    }

    private CodeBlock value(Value v) {
        if (v instanceof Value.Literal literal) {
            return CodeBlock.of("$L", numeric.literal(literal.value()));
        }
        if (v instanceof Value.Local local) {
            return CodeBlock.of("$N", local.name());
        }
        if (v instanceof Value.Load load) {
            return kernel.ref(
                    load.node(),
                    Index.of(
                            place(load.place()),
                            kernel.graph().node(load.node()).shape()));
        }
        if (v instanceof Value.Cell cell) {
            return CodeBlock.of("$N[$L][$L]", cell.array(), affine(cell.row()), affine(cell.column()));
        }
        if (v instanceof Value.Sum sum) {
            return CodeBlock.of("$L + $L", value(sum.left()), grouped(sum.right(), false));
        }
        if (v instanceof Value.Product product) {
            return CodeBlock.of("$L * $L", grouped(product.left(), false), grouped(product.right(), true));
        }
        if (v instanceof Value.Quotient quotient) {
            return CodeBlock.of("$L / $L", grouped(quotient.left(), false), grouped(quotient.right(), true));
        }
        if (v instanceof Value.Maximum max) {
            return CodeBlock.of("$T.max($L, $L)", JavaLang.MATH, value(max.left()), value(max.right()));
        }
        throw new InternalCompilerError("no Java for " + v);
    }

    /**
     * An operand of {@code +}, {@code *} or {@code /} in parentheses where Java would group it
     * otherwise: a sum under a product or a quotient, and on the {@code right} any operation of
     * its own level ({@code a + (b + c)}, {@code a / (b * c)}), which evaluates in another order.
     */
    private CodeBlock grouped(Value v, boolean right) {
        boolean sum = v instanceof Value.Sum;
        boolean multiplicative = v instanceof Value.Product || v instanceof Value.Quotient;
        return sum || (right && multiplicative) ? CodeBlock.of("($L)", value(v)) : value(v);
    }

    private CodeBlock place(Place place) {
        if (place instanceof Place.At at) {
            return affine(at.position());
        }
        return CodeBlock.of("$N", ((Place.Found) place).position());
    }

    private static CodeBlock affine(Affine a) {
        return CodeBlock.of("$L", a.text());
    }
}
