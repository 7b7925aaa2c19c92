package dev.nnc.compiler.loops;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.SpatialOp;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The entry point of the loop-nest stage: the ops that lower to loops over flat arrays, and the
 * scheduled nest of one of them.
 */
public final class Loops {
    private Loops() {}

    /** Whether {@code node}'s op is computed by a loop nest of this stage. */
    public static boolean lowers(Node node) {
        return WindowNests.lowers(node);
    }

    /**
     * The statements that compute {@code node} for one sample, scheduled: each element of a
     * node's value is addressed by its row-major position within the sample.
     */
    public static List<Stmt> of(Node node, Graph graph) {
        return Scheduler.schedule(WindowNests.lower(node, graph));
    }

    /**
     * The nest that stores elementwise node {@code node} for one sample, scheduled, or with
     * {@code unrolled} every loop run out into one statement per element (a kernel small enough
     * to keep each element in a local of its own).
     */
    public static List<Stmt> elementwise(Node node, boolean unrolled) {
        return scheduled(ElementwiseNests.store(node), unrolled);
    }

    /**
     * The nest of reduction {@code node} for one sample (a sum, a dot product, a sample's own
     * product, line sums, the softmax family, a fused loss from logits; see {@link
     * ReductionNests#lowers}), scheduled, or with {@code unrolled} run out into straight-line code
     * with every sum one expression from its first term. {@code fresh} names the locals it
     * declares in the method it joins.
     */
    public static List<Stmt> reduction(Node node, Graph graph, UnaryOperator<String> fresh, boolean unrolled) {
        return scheduled(ReductionNests.lower(node, graph, fresh), unrolled);
    }

    /**
     * The nest of a softmax cross-entropy {@code crossEntropy} and the softmax {@code softmax} of the
     * same logits in one pass, each logit exponentiated once (see {@link #reduction}).
     */
    public static List<Stmt> crossEntropyWithSoftmax(
            Node crossEntropy, Node softmax, Graph graph, UnaryOperator<String> fresh, boolean unrolled) {
        return scheduled(ReductionNests.crossEntropyWithSoftmax(crossEntropy, softmax, graph, fresh), unrolled);
    }

    /** Whether {@code node}'s op is a recurrence or its adjoint, whose nest {@link #recurrence} gives. */
    public static boolean recurs(Node node) {
        return SequenceNests.lowers(node);
    }

    /**
     * The scheduled nest of recurrence {@code node} (forward, or backward through time) for the
     * samples {@code context} names, time outside and samples inside (see {@link SequenceNests}).
     */
    public static List<Stmt> recurrence(Node node, Graph graph, Recurrence context) {
        return Scheduler.schedule(SequenceNests.lower(node, graph, context));
    }

    /**
     * What a recurrence's nest needs from the code generator: {@code weight}, the array of the
     * hidden weight in the layout its product runs along (by columns forward, by rows backward);
     * the {@code samples} (a number, or the tile's count) and the {@code most} there can be; the
     * {@code scratch} rows it keeps state in; and which blocks of the trace the kernel reads
     * ({@code kept}: a prediction reads only the states).
     */
    public record Recurrence(
            String weight, Bound samples, int most, ScratchRows scratch, java.util.function.IntPredicate kept) {}

    /** Names a scratch array of {@code rows} rows of {@code columns} for a nest, allocating it. */
    @FunctionalInterface
    public interface ScratchRows {
        String rows(String name, int rows, int columns);
    }

    /**
     * The nest of {@code y = W x (+ bias)} for every sample of a tile of at most {@code most}
     * ({@code m} of them): node {@code x}'s value of {@code terms} times the weight whose rows of
     * {@code width} the array {@code weight} holds, into node {@code y}, from the vector {@code
     * bias} where there is one. One {@link Stmt.Product}: its kernel is the code generator's choice.
     */
    public static List<Stmt> tileProduct(
            int x, String weight, int y, java.util.Optional<Integer> bias, int terms, int width, int most) {
        Stmt.Product.Addend addend =
                bias.<Stmt.Product.Addend>map(Stmt.Product.Addend.Element::new).orElse(new Stmt.Product.Addend.None());
        return List.of(new Stmt.Product(
                new Stmt.Product.Rows.Sample(x),
                weight,
                new Stmt.Product.Rows.Sample(y),
                addend,
                terms,
                width,
                new Bound.Named("m"),
                most));
    }

    /**
     * The nest of a weight's gradient over a tile of at most {@code most} samples ({@code m} of
     * them): {@code sums[c] += Σ_b Σ_t scalars[b][t][c] rows[b][t]}, node {@code rows}'s value
     * {@code [terms][width]} and node {@code scalars}'s {@code [terms][count]} for each sample
     * (one term: the outer product of two vectors). One {@link Stmt.OuterSum}: its kernel is the
     * code generator's choice.
     */
    public static List<Stmt> tileOuterSum(
            int rows,
            int scalars,
            Stmt.OuterSum.Sums sums,
            int terms,
            int width,
            int count,
            int most,
            java.util.Optional<String> clearWhile) {
        return List.of(new Stmt.OuterSum(
                new Stmt.Product.Rows.Sample(rows),
                new Stmt.Product.Rows.Sample(scalars),
                sums,
                terms,
                width,
                count,
                new Bound.Named("m"),
                most,
                clearWhile));
    }

    /** Whether {@code body} reads the name {@code name} anywhere. */
    public static boolean mentions(List<Stmt> body, String name) {
        return Mentions.of(body).contains(name);
    }

    private static List<Stmt> scheduled(List<Stmt> nest, boolean unrolled) {
        return unrolled ? Scheduler.unrolled(nest) : Scheduler.schedule(nest);
    }

    /**
     * The scheduled nest of one sample's convolution weight gradient {@code node} as dot products
     * into the scratch rows {@code rows [F][C kh kw]}, from the patches by tap in {@code patches}.
     */
    public static List<Stmt> weightGradientDots(Node node, String patches, String rows) {
        return Scheduler.schedule(WindowNests.weightGradientDots(node, patches, rows));
    }

    /**
     * The scheduled nest that copies node {@code x}'s input under each tap of each output of
     * {@code window}, zero in the padding, into the scratch rows {@code patches}: by tap, {@code
     * [C kh kw][outputs]}, or by output position, {@code [outputs][C kh kw]}. By position the
     * taps run inside the outputs where no tap reaches the padding, so that each row is written
     * along its length, and outside them where one does, so that the padding cuts long runs.
     */
    public static List<Stmt> patches(WindowGeometry window, int x, String patches, boolean byPosition) {
        boolean tapsOutside = !byPosition || window.reachesPadding();
        return Scheduler.schedule(WindowNests.patches(window, x, patches, byPosition, tapsOutside));
    }

    /**
     * The scheduled nest of convolution {@code node} for one sample over its patches by tap: the
     * input under each tap copied into {@code patches [C kh kw][outputs]} ({@link #patches}), then
     * one {@link Stmt.PatchProduct}, {@code y[f][o] = bias[f] + Σ_k w[f][k] patches[k][o]}.
     */
    public static List<Stmt> convolutionByTap(Node node, String patches) {
        return withPatches(node, patches, false, ConvolutionProducts.forwardByTap(node, patches));
    }

    /**
     * The scheduled nest of convolution {@code node} for one sample over its patches by output
     * position: the input under each tap copied into {@code positions [outputs][C kh kw]}, then
     * {@code y[f][o] = bias[f] + Σ_k positions[o][k] columns[k][f]} over {@code weightColumns},
     * the weight's columns copied as rows, which the code generator keeps.
     */
    public static List<Stmt> convolutionByPosition(Node node, String positions, String weightColumns) {
        return withPatches(
                node, positions, true, ConvolutionProducts.forwardByPosition(node, positions, weightColumns));
    }

    private static List<Stmt> withPatches(Node node, String patches, boolean byPosition, Stmt product) {
        SpatialOp.Conv conv = (SpatialOp.Conv) node.op();
        List<Stmt> nest = new java.util.ArrayList<>(
                patches(WindowGeometry.of(conv.window(), conv.input()), node.arg(0), patches, byPosition));
        nest.add(product);
        return nest;
    }

    /**
     * The product that gives convolution input gradient {@code node}'s patch gradients by tap for
     * one sample, {@code grads[k][j] = Σ_f w[f][k] rows[f][j]} over rows of {@code width}: the
     * output gradient's planes copied into {@code rows} (then {@link #addUnderTaps} adds them
     * back), or those planes widened to the rows of the padded input, whose runs the code
     * generator adds under the taps.
     */
    public static List<Stmt> inputGradientsByTap(Node node, Graph graph, String rows, String grads, int width) {
        return List.of(ConvolutionProducts.inputGradientByTap(node, graph, rows, grads, width));
    }

    /**
     * The product that gives convolution input gradient {@code node}'s patch gradients by output
     * position for one sample, {@code grads[o][k] = Σ_f dy[f][o] rows[f][k]} over the weight's rows
     * copied into {@code rows}; {@link #addUnderTaps} adds them back.
     */
    public static List<Stmt> inputGradientsByPosition(Node node, Graph graph, String rows, String grads) {
        return List.of(ConvolutionProducts.inputGradientByPosition(node, graph, rows, grads));
    }

    /**
     * The product that gives one sample's convolution weight gradient {@code node} in the scratch
     * rows {@code rows [F][C kh kw]}: {@code rows[f][k] = Σ_o dy[f][o] positions[o][k]} over the
     * patches by position.
     */
    public static List<Stmt> weightGradientRows(Node node, String positions, String rows) {
        return List.of(ConvolutionProducts.weightGradient(node, positions, rows));
    }

    /**
     * The scheduled nest of convolution {@code node} computed straight from its input, for one
     * sample: no patches, for a convolution whose patches would be too large (see {@link
     * WindowGeometry#patchesTooLarge}).
     */
    public static List<Stmt> directConvolution(Node node) {
        return Scheduler.schedule(WindowNests.directConvolution(node));
    }

    /**
     * The scheduled nest of convolution input gradient {@code node} over {@code filters} filters,
     * added straight under the taps: no patch gradients.
     */
    public static List<Stmt> directInputGradient(Node node, int filters) {
        return Scheduler.schedule(WindowNests.directInputGradient(node, filters));
    }

    /**
     * The scheduled nest of one sample's convolution weight gradient {@code node} into the scratch
     * rows {@code rows [F][C kh kw]}, straight from the input: no patches.
     */
    public static List<Stmt> directWeightGradient(Node node, String rows) {
        return Scheduler.schedule(WindowNests.directWeightGradient(node, rows));
    }

    /**
     * The scheduled nest that clears a convolution's input gradient {@code node} and adds the
     * patch gradients of {@code patchGradients} back under their taps (col2im); the rows are the
     * taps, or the outputs when {@code byPosition}. The products that fill those rows stay with
     * the code generator, which picks their kernel.
     */
    public static List<Stmt> addUnderTaps(Node node, String patchGradients, boolean byPosition) {
        return Scheduler.schedule(WindowNests.addUnderTaps(node, patchGradients, byPosition));
    }
}
