package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.loops.Affine;
import dev.nnc.compiler.loops.Bound;
import dev.nnc.compiler.loops.Loops;
import dev.nnc.compiler.loops.Place;
import dev.nnc.compiler.loops.Stmt;
import dev.nnc.compiler.loops.Value;
import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * Writes a scheduled loop nest ({@link dev.nnc.compiler.loops.Loops}) as Java statements. It knows
 * nothing of the op the nest came from: a load or a store of a node goes through {@link
 * KernelEmitter#ref} and {@link KernelEmitter#slot}, so the same nest serves a per-sample array,
 * a row of a tile, or a view such as a reshape.
 */
final class LoopEmitter {
    /**
     * The shortest run that is one {@code System.arraycopy} or {@code Arrays.fill} rather than a
     * loop: for shorter ones the call costs more than the loop it replaces.
     */
    private static final int CALL_RUN = 16;

    private final KernelEmitter kernel;
    private final Numeric numeric;
    private final Path path;
    /** The locals of an unrolled kernel's elements that a store of this emitter has defined. */
    private final java.util.Set<String> defined = new java.util.HashSet<>();

    LoopEmitter(KernelEmitter kernel, Numeric numeric) {
        this(kernel, numeric, Path.EITHER);
    }

    LoopEmitter(KernelEmitter kernel, Numeric numeric, Path path) {
        this.kernel = kernel;
        this.numeric = numeric;
        this.path = path;
    }

    /**
     * Which of a kernel's two paths the Java is for, where a statement has a Vector API form (a
     * {@link Stmt.PatchProduct}, a run copied out of a flat array).
     */
    enum Path {
        /** Either: each statement that has a Vector API form tests for it itself. */
        EITHER,
        /**
         * The Vector API path, inside a test for it: every product takes its Vector API kernel,
         * and every copy out of a flat array is the runtime's {@code PatchProducts.copyRun}
         * whatever its length (the patches' rows are whole vectors long, so its last vector may
         * write past the run, into what the nest writes after it, the zeros after a run or the
         * next output row, or into the columns nobody reads).
         */
        VECTOR,
        /** The plain loops alone: the other branch of such a test, or a kernel without one. */
        PLAIN
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
        if (bound instanceof Bound.Named named) {
            return CodeBlock.of("$N", named.name());
        }
        return CodeBlock.of("$L", ((Bound.Fixed) bound).value());
    }

    private void statement(CodeBlock.Builder code, Stmt stmt) {
        if (stmt instanceof Stmt.Loop loop
                && loop.extent() == 1
                && loop.isWhole()
                && !Loops.mentions(loop.body(), loop.variable())) {
            // A loop of one iteration the scheduler kept for the scope of what its body declares.
            code.add("{\n$>");
            loop.body().forEach(s -> statement(code, s));
            code.add("$<}\n");
        } else if (stmt instanceof Stmt.Loop loop) {
            code.beginControlFlow(
                    "for (int $1N = $2L; $1N < $3L; $1N++)", loop.variable(), bound(loop.from()), bound(loop.to()));
            loop.body().forEach(s -> statement(code, s));
            code.endControlFlow();
        } else if (stmt instanceof Stmt.Let let) {
            code.addStatement("int $N = $L", let.name(), affine(let.value()));
        } else if (stmt instanceof Stmt.Within within) {
            code.beginControlFlow("if ($L)", bounds(within));
            within.body().forEach(s -> statement(code, s));
            if (!within.otherwise().isEmpty()) {
                code.nextControlFlow("else");
                within.otherwise().forEach(s -> statement(code, s));
            }
            code.endControlFlow();
        } else if (stmt instanceof Stmt.Split split) {
            if (split.from() instanceof Bound.Named from) {
                code.addStatement(
                        "int $N = $T.min($L, $L)", from.name(), JavaLang.MATH, split.extent(), bound(split.first()));
            }
            if (split.to() instanceof Bound.Named to) {
                code.addStatement(
                        "int $N = $T.max($L, $L)", to.name(), JavaLang.MATH, bound(split.from()), bound(split.end()));
            }
        } else if (stmt instanceof Stmt.Run run) {
            run(code, run);
        } else if (stmt instanceof Stmt.Declare declare) {
            code.addStatement("$T $N = $L", numeric.type(), declare.name(), value(declare.initial()));
        } else if (stmt instanceof Stmt.Assign assign) {
            assign(code, assign);
        } else if (stmt instanceof Stmt.Store store) {
            store(code, store);
        } else if (stmt instanceof Stmt.StoreCell store) {
            code.addStatement(
                    "$N[$L][$L] = $L",
                    store.array(),
                    affine(store.row()),
                    affine(store.column()),
                    value(store.value()));
        } else if (stmt instanceof Stmt.ZeroIfInfinite zero) {
            code.beginControlFlow(
                            "if ($T.isInfinite($N))", numeric.isFloat() ? JavaLang.FLOAT : JavaLang.DOUBLE, zero.name())
                    .addStatement("$N = $L", zero.name(), numeric.literal(0))
                    .endControlFlow();
        } else if (stmt instanceof Stmt.Position position) {
            code.addStatement("int $N = -1", position.name());
        } else if (stmt instanceof Stmt.KeepFirstMaximum keep) {
            code.beginControlFlow("if ($1N < 0 || $2N > $3N)", keep.position(), keep.candidate(), keep.best())
                    .addStatement("$N = $N", keep.best(), keep.candidate())
                    .addStatement("$N = $L", keep.position(), affine(keep.at()))
                    .endControlFlow();
        } else if (stmt instanceof Stmt.KeepFirstEqual keep) {
            code.addStatement(
                    "$1N = $2N($1N, $3L, $4N, $5L)",
                    keep.position(),
                    kernel.helper("firstEqual"),
                    value(keep.candidate()),
                    keep.target(),
                    affine(keep.at()));
        } else if (stmt instanceof Stmt.IfNotNaN test) {
            code.beginControlFlow(
                    "if (!$T.isNaN($N))", numeric.isFloat() ? JavaLang.FLOAT : JavaLang.DOUBLE, test.name());
            test.body().forEach(s -> statement(code, s));
            code.nextControlFlow("else");
            test.otherwise().forEach(s -> statement(code, s));
            code.endControlFlow();
        } else if (stmt instanceof Stmt.Product product) {
            code.add(new SampleProducts(kernel, numeric).emit(product, bound(product.samples())));
        } else if (stmt instanceof Stmt.OuterSum sum) {
            code.add(new TileOuterSums(kernel, numeric).emit(sum));
        } else if (stmt instanceof Stmt.PatchProduct product) {
            code.add(patchProduct(product));
        } else if (stmt instanceof Stmt.Activate activate) {
            activate(code, activate);
        } else {
            throw new InternalCompilerError("no Java for " + stmt);
        }
    }

    private CodeBlock patchProduct(Stmt.PatchProduct product) {
        WindowProducts products = new WindowProducts(kernel, numeric);
        return switch (path) {
            case EITHER -> products.either(product);
            case VECTOR ->
                products.vector(product)
                        .orElseThrow(() -> new InternalCompilerError("no Vector API kernel for " + product));
            case PLAIN -> products.plain(product);
        };
    }

    /**
     * A run of gates: in the plain loops the function of each argument, unit by unit (float's
     * rational gate functions, which C2 vectorises along the run, or double's exact ones); in
     * float classes run with the Vector API the arguments stored and then one call of the
     * runtime's vector function over the run.
     */
    private void activate(CodeBlock.Builder code, Stmt.Activate a) {
        CodeBlock row = CodeBlock.of("$N[$L]", a.array(), affine(a.row()));
        CodeBlock argument = value(a.value());
        CodeBlock plain = runOf(a, CodeBlock.of("$L[$N] = $L", row, a.variable(), gate(a.function(), argument)));
        if (!VectorKernels.covers(numeric)) {
            code.add(plain);
            return;
        }
        CodeBlock vector = CodeBlock.builder()
                .add(runOf(a, CodeBlock.of("$L[$N] = $L", row, a.variable(), argument)))
                .addStatement(
                        "$T.$L($L, $L, $L)",
                        VectorKernels.FUNCTIONS,
                        a.function() == Stmt.Activate.Gate.SIGMOID ? "sigmoid" : "tanh",
                        row,
                        a.from(),
                        a.count())
                .build();
        code.add(VectorKernels.vectorOrPlain(vector, plain));
    }

    private static CodeBlock runOf(Stmt.Activate a, CodeBlock statement) {
        return CodeBlock.builder()
                .beginControlFlow("for (int $1N = $2L; $1N < $3L; $1N++)", a.variable(), a.from(), a.from() + a.count())
                .addStatement(statement)
                .endControlFlow()
                .build();
    }

    /**
     * A gate's function in the plain loops: in float the rational {@code gateSigmoid} and {@code
     * gateTanh} ({@link Helpers}), within 2e-7 and 6 ulp, which C2 vectorises across a run; in
     * double the exact functions.
     */
    private CodeBlock gate(Stmt.Activate.Gate function, CodeBlock x) {
        if (!numeric.isFloat()) {
            return function == Stmt.Activate.Gate.SIGMOID
                    ? CodeBlock.of("$N($L)", kernel.helper("sigmoid"), x)
                    : kernel.tanh(x);
        }
        if (function == Stmt.Activate.Gate.TANH) {
            return CodeBlock.of("$N($L)", kernel.helper("gateTanh"), x);
        }
        kernel.helper("gateTanh"); // gateSigmoid calls it
        return CodeBlock.of("$N($L)", kernel.helper("gateSigmoid"), x);
    }

    /**
     * A store into a node's element: in an unrolled kernel each element of a tensor is a local of
     * its own, defined by its first store, and a scalar is defined where it is a local. A store
     * of the element divided by something reads {@code x /= d}.
     */
    private void store(CodeBlock.Builder code, Stmt.Store store) {
        Shape shape = kernel.graph().node(store.node()).shape();
        if (!store.accumulate()
                && store.place() instanceof Place.At at
                && at.position().isConstant()) {
            if (shape.isScalar()) {
                code.addStatement(
                        "$L$L = $L",
                        kernel.scalarPrefix(store.node(), numeric.type().toString()),
                        kernel.slot(store.node(), CodeBlock.of("0")),
                        value(store.value()));
                return;
            }
            if (kernel.isUnrolled()) {
                String local = kernel.local(store.node(), at.position().constant());
                if (defined.add(local)) {
                    code.addStatement("$T $N = $L", numeric.type(), local, value(store.value()));
                } else {
                    code.addStatement("$N $L", local, assignment(store));
                }
                return;
            }
        }
        CodeBlock target = kernel.slot(store.node(), place(store.place()));
        code.addStatement(
                "$L $L", target, store.accumulate() ? CodeBlock.of("+= $L", value(store.value())) : assignment(store));
    }

    /** {@code = value}, or {@code /= d} for a store of its own element divided by {@code d}. */
    private CodeBlock assignment(Stmt.Store store) {
        if (store.value() instanceof Value.Quotient quotient
                && quotient.left() instanceof Value.Load load
                && load.node() == store.node()
                && load.place().equals(store.place())) {
            return CodeBlock.of("/= $L", value(quotient.right()));
        }
        return CodeBlock.of("= $L", value(store.value()));
    }

    /**
     * The {@link Index} of an element computed in place: a number in unrolled code, and the loop
     * variables of a vector or a matrix as they are, so that a view among the operands that reads
     * by row or by column (a transpose, an outer product) reads {@code r} and {@code c} rather
     * than dividing the flat position.
     */
    private Index elementIndex(Place place, Shape shape) {
        if (!(place instanceof Place.At)) {
            return Index.of(place(place), shape);
        }
        Affine a = ((Place.At) place).position();
        if (a.isConstant()) {
            return Index.literal(a.constant(), shape);
        }
        List<Affine.Term> terms = a.terms();
        if (a.constant() == 0
                && shape.isMatrix()
                && terms.size() == 2
                && terms.get(0).coefficient() == shape.cols()
                && terms.get(1).coefficient() == 1) {
            return Index.matrixLoop(terms.get(0).name(), terms.get(1).name(), shape.cols());
        }
        if (a.constant() == 0 && terms.size() == 1 && terms.get(0).coefficient() == 1) {
            CodeBlock v = CodeBlock.of("$N", terms.get(0).name());
            if (!shape.isMatrix()) {
                return Index.vectorLoop(terms.get(0).name());
            }
            // A matrix of one row or one column, whose other loop ran once and vanished.
            if (shape.rows() == 1) {
                return new Index(v, CodeBlock.of("0"), v, -1, -1, -1);
            }
            if (shape.cols() == 1) {
                return new Index(v, v, CodeBlock.of("0"), -1, -1, -1);
            }
        }
        return Index.of(CodeBlock.of("$L", a.text()), shape);
    }

    /**
     * A run as one call where it pays: a copy out of a flat array as {@code System.arraycopy}
     * (C2 leaves a copy loop between two offsets it cannot align scalar) or, on the Vector API
     * path, {@code PatchProducts.copyRun}; a fill as {@code Arrays.fill}; otherwise the loop.
     */
    private void run(CodeBlock.Builder code, Stmt.Run run) {
        Affine from = run.from().index().orElseThrow();
        Affine to = run.to().index().orElseThrow();
        Affine length = to.plus(from.times(-1));
        // A run whose length is known only when it runs is as long as its extent at the most.
        boolean worthACall = (length.isConstant() ? length.constant() : run.most()) >= CALL_RUN;
        CodeBlock row = CodeBlock.of("$N[$L]", run.array(), affine(run.row()));
        CodeBlock start = affine(run.column().substitute(run.variable(), from));
        if (run.value() instanceof Value.Load load && load.place() instanceof Place.At at) {
            java.util.Optional<KernelEmitter.SampleRows> source = kernel.flatRun(load.node());
            if (source.isPresent() && (path == Path.VECTOR || worthACall)) {
                Affine position = at.position()
                        .substitute(run.variable(), from)
                        .plus(source.get().offset());
                code.addStatement(
                        "$T.$L($L, $L, $L, $L, $L)",
                        path == Path.VECTOR ? VectorKernels.patchProducts(numeric) : ClassName.get(System.class),
                        path == Path.VECTOR ? "copyRun" : "arraycopy",
                        source.get().array(),
                        affine(position),
                        row,
                        start,
                        affine(length));
                return;
            }
        } else if (run.value() instanceof Value.Literal literal && worthACall) {
            code.addStatement(
                    "$T.fill($L, $L, $L, $L)",
                    java.util.Arrays.class,
                    row,
                    start,
                    affine(run.column().substitute(run.variable(), to)),
                    numeric.literal(literal.value()));
            return;
        }
        code.beginControlFlow(
                        "for (int $1N = $2L; $1N < $3L; $1N++)", run.variable(), bound(run.from()), bound(run.to()))
                .addStatement(
                        "$N[$L][$L] = $L", run.array(), affine(run.row()), affine(run.column()), value(run.value()))
                .endControlFlow();
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
                    elementIndex(load.place(), kernel.graph().node(load.node()).shape()));
        }
        if (v instanceof Value.Elementwise e) {
            Node node = kernel.graph().node(e.node());
            return kernel.element(node, elementIndex(e.place(), node.shape()));
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
        if (v instanceof Value.Difference difference) {
            return CodeBlock.of("$L - $L", value(difference.left()), grouped(difference.right(), false));
        }
        if (v instanceof Value.Maximum max) {
            return CodeBlock.of("$T.max($L, $L)", JavaLang.MATH, value(max.left()), value(max.right()));
        }
        if (v instanceof Value.Positive p) {
            String zero = numeric.literal(0);
            return CodeBlock.of("$L > $L ? $L : $L", value(p.test()), zero, value(p.then()), zero);
        }
        if (v instanceof Value.Call call) {
            return numeric.math(call.function().method(), value(call.argument()));
        }
        throw new InternalCompilerError("no Java for " + v);
    }

    /**
     * An operand of {@code +}, {@code -}, {@code *} or {@code /} in parentheses where Java would
     * group it otherwise: a sum or difference under a product or a quotient, and on the {@code
     * right} any operation of its own level ({@code a + (b + c)}, {@code a - (b - c)}, {@code a /
     * (b * c)}), which evaluates in another order.
     */
    private CodeBlock grouped(Value v, boolean right) {
        boolean sum = v instanceof Value.Sum || v instanceof Value.Difference;
        boolean multiplicative = v instanceof Value.Product || v instanceof Value.Quotient;
        return sum || v instanceof Value.Positive || (right && multiplicative)
                ? CodeBlock.of("($L)", value(v))
                : value(v);
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
