package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.SequenceOp;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.semantic.Term.Recurrent.Cell;
import java.util.List;

/**
 * The Java loops of {@link SequenceOp} for one sample: a loop over the time steps, never
 * unrolled, whose body is one product with the hidden weights for all gates of the step ({@code
 * q = W_hh h + b_hh}, {@code G H} rows at once, as cuDNN and PyTorch fuse them) and the cell's
 * elementwise update. The input projection of every step is an ordinary product made before the
 * loop, and the gradients of the weights are products made after the backward loop, so only the
 * sequential part is here.
 *
 * <p>Both directions read the hidden weight in the layout their sums run along ({@link
 * RowProducts}): by columns forward ({@code q += h_j W_hh[:, j]}), by rows backward ({@code dh +=
 * dq_g W_hh[g, :]}), the parameter's own field or the copy the class keeps current. Float classes
 * run with the Vector API call the runtime's register-blocked {@code multiplyOne} for these
 * products instead ({@link VectorKernels}), and the runtime's vector logistic and tanh functions
 * for the gates ({@link #activations}). Reads and writes go through {@link
 * KernelEmitter#ref} and {@link KernelEmitter#slot}, so the same loops serve per-sample arrays
 * and the rows of a tile.
 */
final class SequenceLoops {
    private final KernelEmitter kernel;
    private final Numeric numeric;
    private final String type;

    SequenceLoops(KernelEmitter kernel, Numeric numeric) {
        this.kernel = kernel;
        this.numeric = numeric;
        this.type = numeric.type().toString();
    }

    /** Whether {@code node}'s op is one these loops compute. */
    static boolean computes(Node node) {
        return node.op() instanceof SequenceOp;
    }

    /**
     * The statements that compute {@code node}, in a block of their own (a kernel holds a layer's
     * forward and backward loops side by side): for the current sample, or with {@code tile} for
     * every sample of a tile ({@code b < m}), time outside and samples inside. At each step the
     * hidden products of a tile's samples are then one matrix product: two samples per pass over
     * the hidden weight in the plain loops (each weight row, read from level 2 once, serves
     * both), the runtime's register-blocked {@code multiply} with the Vector API. Each sample's
     * sums are those of the one-sample loops, term for term, so a tile computes their bits.
     */
    CodeBlock emit(Node node, boolean tile) {
        // A kernel of one sample runs the same loops over a tile of one.
        Samples samples = tile ? new Samples("m", kernel.tileRows()) : new Samples("1", 1);
        CodeBlock loops;
        if (node.op() instanceof SequenceOp.Recurrence op) {
            loops = forward(node, new Extent(op.cell(), op.steps(), op.units()), samples);
        } else if (node.op() instanceof SequenceOp.RecurrenceGrad op) {
            loops = backward(node, new Extent(op.cell(), op.steps(), op.units()), samples);
        } else {
            throw new InternalCompilerError("no loops for " + node.op().mnemonic());
        }
        return CodeBlock.builder().add("{\n$>").add(loops).add("$<}\n").build();
    }

    /** How many samples the loops run over: {@code count} (a variable or 1), at most {@code rows}. */
    private record Samples(String count, int rows) {}

    private CodeBlock forward(Node node, Extent e, Samples samples) {
        String columns = hiddenColumns(node);
        int tile = samples.rows();
        String sums = kernel.scratchRows(node, "gateSums", tile, e.rows);
        String states = kernel.scratchRows(node, "states", tile, e.units);
        String cells = e.cell == Cell.LSTM ? kernel.scratchRows(node, "cells", tile, e.units) : null;
        CodeBlock.Builder code = CodeBlock.builder()
                .beginControlFlow("for (int b = 0; b < $L; b++)", samples.count())
                .addStatement("$T.fill($N[b], $L)", java.util.Arrays.class, states, zero());
        if (cells != null) {
            code.addStatement("$T.fill($N[b], $L)", java.util.Arrays.class, cells, zero());
        }
        code.endControlFlow();
        CodeBlock biasRead = read(node.arg(2), CodeBlock.of("g"));
        CodeBlock plain = blockedProducts(
                states,
                columns,
                sums,
                e.units,
                e.rows,
                samples,
                CodeBlock.builder()
                        .beginControlFlow("for (int g = 0; g < $L; g++)", e.rows)
                        .addStatement("s0[g] = $L", biasRead)
                        .addStatement("s1[g] = $L", biasRead)
                        .endControlFlow()
                        .build(),
                CodeBlock.builder()
                        .beginControlFlow("for (int g = 0; g < $L; g++)", e.rows)
                        .addStatement("s0[g] = $L", biasRead)
                        .endControlFlow()
                        .build());
        CodeBlock vector = CodeBlock.builder()
                .addStatement(
                        "$T.multiply($N, 0, $N, $N, $L, $L, $L)",
                        VectorKernels.PRODUCTS,
                        states,
                        columns,
                        sums,
                        samples.count(),
                        e.units,
                        e.rows)
                .beginControlFlow("for (int b = 0; b < $L; b++)", samples.count())
                .addStatement("$L[] s = $N[b]", type, sums)
                .beginControlFlow("for (int g = 0; g < $L; g++)", e.rows)
                .addStatement("s[g] += $L", biasRead)
                .endControlFlow()
                .endControlFlow()
                .build();
        code.beginControlFlow("for (int t = 0; t < $L; t++)", e.steps)
                .add(chooseProducts(vector, plain))
                .beginControlFlow("for (int b = 0; b < $L; b++)", samples.count())
                .addStatement("$L[] s = $N[b]", type, sums)
                .addStatement("$L[] h = $N[b]", type, states);
        if (cells != null) {
            code.addStatement("$L[] c = $N[b]", type, cells);
        }
        if (e.cell == Cell.GRU || e.cell == Cell.LSTM) {
            code.addStatement("$L[] a = $N[0]", type, kernel.scratchRows(node, "candidates", 1, e.units));
        }
        return code.add(activations(node, e))
                .beginControlFlow("for (int u = 0; u < $L; u++)", e.units)
                .add(forwardCell(node, e))
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .build();
    }

    private CodeBlock backward(Node node, Extent e, Samples samples) {
        String rows = hiddenRows(node);
        int tile = samples.rows();
        String gates = kernel.scratchRows(node, "gateGrads", tile, e.rows);
        String carries = kernel.scratchRows(node, "carries", tile, e.units);
        String direct = kernel.scratchRows(node, "passedOn", tile, e.units);
        String cellGrads = e.cell == Cell.LSTM ? kernel.scratchRows(node, "cellGrads", tile, e.units) : null;
        CodeBlock.Builder code = CodeBlock.builder()
                .beginControlFlow("for (int b = 0; b < $L; b++)", samples.count())
                .addStatement("$T.fill($N[b], $L)", java.util.Arrays.class, carries, zero());
        if (cellGrads != null) {
            code.addStatement("$T.fill($N[b], $L)", java.util.Arrays.class, cellGrads, zero());
        }
        code.endControlFlow();
        // The plain loops add the hidden product to what each state passes on directly, then
        // that becomes the carry of the step before: the two rows of a sample trade places.
        CodeBlock plain = CodeBlock.builder()
                .add(blockedProducts(gates, rows, direct, e.rows, e.units, samples, CodeBlock.of(""), CodeBlock.of("")))
                .beginControlFlow("for (int b = 0; b < $L; b++)", samples.count())
                .addStatement("$L[] swap = $N[b]", type, carries)
                .addStatement("$N[b] = $N[b]", carries, direct)
                .addStatement("$N[b] = swap", direct)
                .endControlFlow()
                .build();
        CodeBlock vector = CodeBlock.builder()
                .addStatement(
                        "$T.multiply($N, 0, $N, $N, $L, $L, $L)",
                        VectorKernels.PRODUCTS,
                        gates,
                        rows,
                        carries,
                        samples.count(),
                        e.rows,
                        e.units)
                .beginControlFlow("for (int b = 0; b < $L; b++)", samples.count())
                .addStatement("$L[] carry = $N[b]", type, carries)
                .addStatement("$L[] s = $N[b]", type, direct)
                .beginControlFlow("for (int i = 0; i < $L; i++)", e.units)
                .addStatement("carry[i] += s[i]")
                .endControlFlow()
                .endControlFlow()
                .build();
        code.beginControlFlow("for (int t = $L; t >= 0; t--)", e.steps - 1)
                .beginControlFlow("for (int b = 0; b < $L; b++)", samples.count())
                .addStatement("$L[] dq = $N[b]", type, gates)
                .addStatement("$L[] carry = $N[b]", type, carries)
                .addStatement("$L[] s = $N[b]", type, direct);
        if (cellGrads != null) {
            code.addStatement("$L[] dc = $N[b]", type, cellGrads);
        }
        return code.beginControlFlow("for (int u = 0; u < $L; u++)", e.units)
                .addStatement("$L d = $L + carry[u]", type, read(node.arg(0), CodeBlock.of("t * $L + u", e.units)))
                .add(backwardCell(node, e))
                .endControlFlow()
                .beginControlFlow("for (int g = 0; g < $L; g++)", e.rows)
                .addStatement("$L = dq[g]", out(node, CodeBlock.of("($L + t) * $L + g", e.steps, e.rows)))
                .endControlFlow()
                .endControlFlow()
                .add(chooseProducts(vector, plain))
                .endControlFlow()
                .build();
    }

    /** The Vector API call in float classes that have it, else the plain loops. */
    private CodeBlock chooseProducts(CodeBlock vector, CodeBlock plain) {
        if (!VectorKernels.covers(numeric)) {
            return plain;
        }
        return CodeBlock.builder()
                .beginControlFlow("if ($T.ENABLED)", VectorKernels.VECTORIZATION)
                .add(vector)
                .nextControlFlow("else")
                .add(plain)
                .endControlFlow()
                .build();
    }

    /**
     * {@code y[b] += Σ_k x[b][k] w[k]} for the tile's samples, {@code w[k]} rows of {@code width}:
     * two samples per pass over the rows (after {@code start2} sets up their sums {@code s0},
     * {@code s1}), then a last sample alone (after {@code start1}). Each sample's sum adds four
     * terms per statement in the order of {@link RowProducts}.
     */
    private CodeBlock blockedProducts(
            String x, String w, String y, int inner, int width, Samples samples, CodeBlock start2, CodeBlock start1) {
        CodeBlock.Builder code = CodeBlock.builder()
                .add("{\n$>")
                .addStatement("int b = 0")
                .beginControlFlow("for (; b + 2 <= $L; b += 2)", samples.count())
                .addStatement("$L[] x0 = $N[b]", type, x)
                .addStatement("$L[] x1 = $N[b + 1]", type, x)
                .addStatement("$L[] s0 = $N[b]", type, y)
                .addStatement("$L[] s1 = $N[b + 1]", type, y)
                .add(start2)
                .addStatement("int k = 0")
                .beginControlFlow("for (; k + 4 <= $L; k += 4)", inner);
        CodeBlock.Builder first = CodeBlock.builder();
        CodeBlock.Builder second = CodeBlock.builder();
        for (int j = 0; j < 4; j++) {
            code.addStatement("$L[] r$L = $N[k + $L]", type, j, w, j)
                    .addStatement("$L a$L = x0[k + $L]", type, j, j)
                    .addStatement("$L c$L = x1[k + $L]", type, j, j);
            first.add(j == 0 ? "a$L * r$L[i]" : " + a$L * r$L[i]", j, j);
            second.add(j == 0 ? "c$L * r$L[i]" : " + c$L * r$L[i]", j, j);
        }
        code.beginControlFlow("for (int i = 0; i < $L; i++)", width)
                .addStatement("s0[i] += $L", first.build())
                .addStatement("s1[i] += $L", second.build())
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; k < $L; k++)", inner)
                .addStatement("$L[] r0 = $N[k]", type, w)
                .addStatement("$L a0 = x0[k]", type)
                .addStatement("$L c0 = x1[k]", type)
                .beginControlFlow("for (int i = 0; i < $L; i++)", width)
                .addStatement("s0[i] += a0 * r0[i]")
                .addStatement("s1[i] += c0 * r0[i]")
                .endControlFlow()
                .endControlFlow()
                .endControlFlow()
                .beginControlFlow("for (; b < $L; b++)", samples.count())
                .addStatement("$L[] x0 = $N[b]", type, x)
                .addStatement("$L[] s0 = $N[b]", type, y)
                .add(start1)
                .addStatement("$L[] s = s0", type)
                .add(RowProducts.emit(
                        type,
                        "k",
                        inner,
                        j -> CodeBlock.of("x0[k + $L]", j),
                        j -> CodeBlock.of("$N[k + $L]", w, j),
                        width))
                .endControlFlow()
                .add("$<}\n");
        return code.build();
    }

    /**
     * {@code W_hh} by columns, {@code [H][G H]}: the parameter's own field when the class keeps
     * it that way, or the copy it keeps current after each update.
     */
    private String hiddenColumns(Node node) {
        return kernel.columnsName(hiddenWeight(node, 1));
    }

    /** {@code W_hh} by rows, {@code [G H][H]}: the copy the class keeps current. */
    private String hiddenRows(Node node) {
        return kernel.rowsName(hiddenWeight(node, 2));
    }

    /** Operand {@code arg} of a sequence op, the hidden weight: a layer's parameter. */
    private LeafOp.Param hiddenWeight(Node node, int arg) {
        if (kernel.graph().node(node.arg(arg)).op() instanceof LeafOp.Param param) {
            return param;
        }
        throw new InternalCompilerError("the hidden weight of " + node.op().mnemonic() + " is not a parameter");
    }

    /**
     * The gates' nonlinearities of step {@code t} for the current sample, each over a run of
     * units, before the loop that combines them ({@link #forwardCell}): the logistic and tanh
     * gates of {@code s} in place ({@code s[g] = f(p_t[g] + s[g])}), then {@code a[u] = tanh(...)},
     * the tangent of a GRU's candidate or of an LSTM's new cell. In float classes run with the
     * Vector API the pre-activations are summed first and each run is one call of the runtime's
     * {@code VectorFunctions}, a vector of units at a time; the plain loops compute one unit at a
     * time, one run after another, which runs faster than all gates of a unit in one loop
     * (docs/codegen.md).
     */
    private CodeBlock activations(Node node, Extent e) {
        int h = e.units;
        List<Run> runs = switch (e.cell) {
            case RNN_TANH -> List.of(new Run(0, h, false));
            case RNN_RELU -> List.of();
            case GRU -> List.of(new Run(0, 2 * h, true));
            case LSTM -> List.of(new Run(0, 2 * h, true), new Run(2 * h, h, false), new Run(3 * h, h, true));
        };
        CodeBlock.Builder plain = CodeBlock.builder();
        CodeBlock.Builder vector = CodeBlock.builder();
        int summed = 0;
        for (Run run : runs) {
            CodeBlock value = CodeBlock.of("$L + s[g]", p(node, e, CodeBlock.of("g")));
            plain.beginControlFlow("for (int g = $L; g < $L; g++)", run.from, run.from + run.count)
                    .addStatement("s[g] = $L", run.sigmoid ? gateSigmoid(value) : gateTanh(value))
                    .endControlFlow();
            vector.addStatement(
                    "$T.$L(s, $L, $L)", VectorKernels.FUNCTIONS, run.sigmoid ? "sigmoid" : "tanh", run.from, run.count);
            summed = run.from + run.count;
        }
        CodeBlock sums = CodeBlock.builder()
                .beginControlFlow("for (int g = 0; g < $L; g++)", summed)
                .addStatement("s[g] += $L", p(node, e, CodeBlock.of("g")))
                .endControlFlow()
                .build();
        CodeBlock candidate = candidate(node, e);
        if (candidate != null) {
            plain.beginControlFlow("for (int u = 0; u < $L; u++)", h)
                    .add(candidateUpdate(e))
                    .addStatement("a[u] = $L", gateTanh(candidate))
                    .endControlFlow();
            vector.beginControlFlow("for (int u = 0; u < $L; u++)", h)
                    .add(candidateUpdate(e))
                    .addStatement("a[u] = $L", candidate)
                    .endControlFlow()
                    .addStatement("$T.tanh(a, 0, $L)", VectorKernels.FUNCTIONS, h);
        }
        if (runs.isEmpty() || !VectorKernels.covers(numeric)) {
            return plain.build();
        }
        return CodeBlock.builder()
                .beginControlFlow("if ($T.ENABLED)", VectorKernels.VECTORIZATION)
                .add(sums)
                .add(vector.build())
                .nextControlFlow("else")
                .add(plain.build())
                .endControlFlow()
                .build();
    }

    /** A run of gates, {@code count} rows of {@code s} from {@code from}: logistic or tanh. */
    private record Run(int from, int count, boolean sigmoid) {}

    /**
     * What the candidate row {@code a} holds the tangent of, once the gates are activated: a
     * GRU's {@code p_n + r q_n}, an LSTM's new cell {@code c}; null for the cells without one.
     */
    private CodeBlock candidate(Node node, Extent e) {
        return switch (e.cell) {
            case GRU -> CodeBlock.of("$L + s[u] * s[$L + u]", p(node, e, 2), 2 * e.units);
            case LSTM -> CodeBlock.of("c[u]");
            case RNN_TANH, RNN_RELU -> null;
        };
    }

    /** An LSTM's new cell, {@code c = f c + i g}, before its tangent; nothing for the others. */
    private CodeBlock candidateUpdate(Extent e) {
        if (e.cell != Cell.LSTM) {
            return CodeBlock.of("");
        }
        int h = e.units;
        return CodeBlock.of("c[u] = s[$L + u] * c[u] + s[u] * s[$L + u];\n", h, 2 * h);
    }

    /**
     * One unit {@code u} of step {@code t}, from the activated gates in {@code s} and the
     * candidate's tangent in {@code a} ({@link #activations}): the new state in {@code h[u]} and
     * the trace.
     */
    private CodeBlock forwardCell(Node node, Extent e) {
        CodeBlock.Builder code = CodeBlock.builder();
        int h = e.units;
        switch (e.cell) {
            case RNN_TANH -> code.addStatement("h[u] = s[u]");
            case RNN_RELU -> code.addStatement("h[u] = $T.max($L, $L)", JavaLang.MATH, sum(node, e, 0), zero());
            case GRU -> {
                code.addStatement("$L z = s[$L + u]", type, h)
                        .addStatement("$L n = a[u]", type)
                        .addStatement("h[u] = ($L - z) * n + z * h[u]", one())
                        .add(kept(node, e, 1, "s[u]"))
                        .add(kept(node, e, 2, "z"))
                        .add(kept(node, e, 3, "n"))
                        .add(kept(node, e, 4, "s[" + 2 * h + " + u]"));
            }
            case LSTM -> {
                code.addStatement("$L tc = a[u]", type)
                        .addStatement("h[u] = s[$L + u] * tc", 3 * h)
                        .add(kept(node, e, 1, "c[u]"))
                        .add(kept(node, e, 2, "s[u]"))
                        .add(kept(node, e, 3, "s[" + h + " + u]"))
                        .add(kept(node, e, 4, "s[" + 2 * h + " + u]"))
                        .add(kept(node, e, 5, "s[" + 3 * h + " + u]"))
                        .add(kept(node, e, 6, "tc"));
            }
        }
        return code.addStatement("$L = h[u]", trace(node, e, 0)).build();
    }

    /**
     * One unit {@code u} of step {@code t} backward, from {@code d}, the adjoint of its state:
     * {@code dp} into the result, {@code dq} into the scratch row, and {@code s[u]} set to what
     * the earlier state receives directly (a GRU's {@code z d}) before the hidden product adds.
     * The adjoints of the trace's other blocks ({@link #traceAdjoint}) are added where their
     * values were made; in a network they are zero and add nothing.
     */
    private CodeBlock backwardCell(Node node, Extent e) {
        CodeBlock.Builder code = CodeBlock.builder();
        switch (e.cell) {
            case RNN_TANH ->
                code.addStatement("$L h = $L", type, traced(node, e, 0, "t"))
                        .addStatement("$L a = d * ($L - h * h)", type, one())
                        .addStatement("$L = a", dp(node, e, 0))
                        .addStatement("dq[u] = a")
                        .addStatement("s[u] = $L", zero());
            case RNN_RELU ->
                code.addStatement("$L a = $L > $L ? d : $L", type, traced(node, e, 0, "t"), zero(), zero())
                        .addStatement("$L = a", dp(node, e, 0))
                        .addStatement("dq[u] = a")
                        .addStatement("s[u] = $L", zero());
            case GRU ->
                code.addStatement("$L r = $L", type, traced(node, e, 1, "t"))
                        .addStatement("$L z = $L", type, traced(node, e, 2, "t"))
                        .addStatement("$L n = $L", type, traced(node, e, 3, "t"))
                        .addStatement("$L before = t > 0 ? $L : $L", type, traced(node, e, 0, "t - 1"), zero())
                        .addStatement(
                                "$L dn = (d * ($L - z)$L) * ($L - n * n)", type, one(), traceAdjoint(node, e, 3), one())
                        .addStatement(
                                "$L dr = (dn * $L$L) * r * ($L - r)",
                                type,
                                traced(node, e, 4, "t"),
                                traceAdjoint(node, e, 1),
                                one())
                        .addStatement(
                                "$L dz = (d * (before - n)$L) * z * ($L - z)", type, traceAdjoint(node, e, 2), one())
                        .addStatement("$L = dr", dp(node, e, 0))
                        .addStatement("$L = dz", dp(node, e, 1))
                        .addStatement("$L = dn", dp(node, e, 2))
                        .addStatement("dq[u] = dr")
                        .addStatement("dq[$L + u] = dz", e.units)
                        .addStatement("dq[$L + u] = dn * r$L", 2 * e.units, traceAdjoint(node, e, 4))
                        .addStatement("s[u] = d * z");
            case LSTM ->
                code.addStatement("$L i = $L", type, traced(node, e, 2, "t"))
                        .addStatement("$L f = $L", type, traced(node, e, 3, "t"))
                        .addStatement("$L g = $L", type, traced(node, e, 4, "t"))
                        .addStatement("$L o = $L", type, traced(node, e, 5, "t"))
                        .addStatement("$L tc = $L", type, traced(node, e, 6, "t"))
                        .addStatement("$L before = t > 0 ? $L : $L", type, traced(node, e, 1, "t - 1"), zero())
                        .addStatement(
                                "$L dcu = dc[u]$L + (d * o$L) * ($L - tc * tc)",
                                type,
                                traceAdjoint(node, e, 1),
                                traceAdjoint(node, e, 6),
                                one())
                        .addStatement("$L di = (dcu * g$L) * i * ($L - i)", type, traceAdjoint(node, e, 2), one())
                        .addStatement("$L df = (dcu * before$L) * f * ($L - f)", type, traceAdjoint(node, e, 3), one())
                        .addStatement("$L dg = (dcu * i$L) * ($L - g * g)", type, traceAdjoint(node, e, 4), one())
                        .addStatement("$L dout = (d * tc$L) * o * ($L - o)", type, traceAdjoint(node, e, 5), one())
                        .addStatement("dc[u] = dcu * f")
                        .addStatement("$L = di", dp(node, e, 0))
                        .addStatement("$L = df", dp(node, e, 1))
                        .addStatement("$L = dg", dp(node, e, 2))
                        .addStatement("$L = dout", dp(node, e, 3))
                        .addStatement("dq[u] = di")
                        .addStatement("dq[$L + u] = df", e.units)
                        .addStatement("dq[$L + u] = dg", 2 * e.units)
                        .addStatement("dq[$L + u] = dout", 3 * e.units)
                        .addStatement("s[u] = $L", zero());
        }
        return code.build();
    }

    /**
     * {@code " + adjoint"} of trace block {@code block} at step {@code t}, unit {@code u}, or
     * nothing when that block of the adjoint is zero by construction: an unslice of rows that
     * leave the block out, which is what reverse mode makes of a network's reads of the states.
     */
    private CodeBlock traceAdjoint(Node node, Extent e, int block) {
        Node adjoint = kernel.graph().node(node.arg(0));
        if (adjoint.op() instanceof SpatialOp.Unslice unslice) {
            int rows = kernel.graph().node(adjoint.arg(0)).shape().dim(0);
            if (block < unslice.from() || block >= unslice.from() + rows) {
                return CodeBlock.of("");
            }
        }
        return CodeBlock.of(" + $L", read(node.arg(0), CodeBlock.of("($L + t) * $L + u", block * e.steps, e.units)));
    }

    /** {@code p[t][gate H + u] + s[gate H + u]}: a gate's whole pre-activation. */
    private CodeBlock sum(Node node, Extent e, int gate) {
        return CodeBlock.of("$L + s[$L + u]", p(node, e, gate), gate * e.units);
    }

    private CodeBlock p(Node node, Extent e, int gate) {
        return read(node.arg(0), CodeBlock.of("t * $L + $L + u", e.rows, gate * e.units));
    }

    /** {@code p[t][row]}, the input side of gate row {@code row} (an expression) at step {@code t}. */
    private CodeBlock p(Node node, Extent e, CodeBlock row) {
        return read(node.arg(0), CodeBlock.of("t * $L + $L", e.rows, row));
    }

    /**
     * {@code trace[block][t][u] = value;}, or nothing when no node of the kernel reads that
     * block: a prediction reads only the states, so it keeps no gates.
     */
    private CodeBlock kept(Node node, Extent e, int block, String value) {
        for (Node reader : kernel.readersOf(node.id())) {
            if (!(reader.op() instanceof SpatialOp.Slice slice) || slice.from() <= block && block < slice.to()) {
                return CodeBlock.of("$L = $L;\n", trace(node, e, block), value);
            }
        }
        return CodeBlock.of("");
    }

    /** Block {@code block} of the forward trace at step {@code t}, unit {@code u}, as a slot. */
    private CodeBlock trace(Node node, Extent e, int block) {
        return out(node, CodeBlock.of("($L + t) * $L + u", block * e.steps, e.units));
    }

    /** Block {@code block} of the trace operand of a backward node at step {@code step}. */
    private CodeBlock traced(Node node, Extent e, int block, String step) {
        return read(node.arg(1), CodeBlock.of("($L + $L) * $L + u", block * e.steps, step, e.units));
    }

    /** The adjoint of gate {@code gate}'s {@code p} at step {@code t}, unit {@code u}. */
    private CodeBlock dp(Node node, Extent e, int gate) {
        return out(node, CodeBlock.of("t * $L + $L + u", e.rows, gate * e.units));
    }

    /**
     * The logistic function of a gate in the plain loops: in float the rational {@code
     * gateSigmoid} ({@link Helpers}), which C2 vectorises across a run of units and which is
     * within 2e-7 of the exact value; in double the exact {@code sigmoid}.
     */
    private CodeBlock gateSigmoid(CodeBlock x) {
        if (!numeric.isFloat()) {
            return CodeBlock.of("$N($L)", kernel.helper("sigmoid"), x);
        }
        kernel.helper("gateTanh"); // gateSigmoid calls it
        return CodeBlock.of("$N($L)", kernel.helper("gateSigmoid"), x);
    }

    /** tanh of a gate in the plain loops: float's rational {@code gateTanh} (within 6 ulp), double's exact tanh. */
    private CodeBlock gateTanh(CodeBlock x) {
        if (!numeric.isFloat()) {
            return kernel.tanh(x);
        }
        return CodeBlock.of("$N($L)", kernel.helper("gateTanh"), x);
    }

    private String zero() {
        return numeric.literal(0);
    }

    private String one() {
        return numeric.literal(1);
    }

    private CodeBlock out(Node node, CodeBlock flat) {
        return kernel.slot(node.id(), flat);
    }

    private CodeBlock read(int id, CodeBlock flat) {
        return kernel.ref(id, Index.of(flat, kernel.graph().node(id).shape()));
    }

    /** A recurrence's extents: its cell, steps, units and the {@code G H} rows of its weights. */
    private record Extent(Cell cell, int steps, int units, int rows) {
        Extent(Cell cell, int steps, int units) {
            this(cell, steps, units, cell.gates() * units);
        }
    }
}
