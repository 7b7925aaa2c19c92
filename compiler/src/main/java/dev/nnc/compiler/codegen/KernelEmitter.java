package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.graph.BatchOp;
import dev.nnc.compiler.graph.BinaryOp;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.LossOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.graph.UnaryOp;
import dev.nnc.compiler.graph.VectorOp;
import dev.nnc.compiler.loops.Loops;
import dev.nnc.compiler.semantic.Shape;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Java statements for the nodes of a graph that a set of outputs needs, in the graph's
 * topological order.
 *
 * <p>Two forms, chosen per kernel by size: small graphs are <em>unrolled</em> into named scalar
 * locals ({@code double hidden0 = Math.tanh(...)}), large ones become counted loops over
 * primitive arrays in forms C2 vectorises. In both, an elementwise node with a single use is
 * not stored but <em>fused</em> into its user's expression, so an elementwise chain
 * ({@code tanh(W @ x + b)}, or an outer product accumulated into a gradient) is one pass with
 * no intermediate array. Views (broadcast, transpose, tile, element, scatter, an embedding's
 * lookup) are free: they only change which element an expression reads.
 */
final class KernelEmitter {
    /** Samples a tiled kernel handles per call; its scratch arrays hold this many rows. */
    static final int TILE = 64;

    /** Kernels with at most this many stored scalars are unrolled (see docs/codegen.md). */
    static final int UNROLL_LIMIT = 160;

    /**
     * A fused expression holds at most this many operations: a long chain of single-use
     * values is cut into stored pieces, which keeps expressions readable, keeps javac's
     * recursive attribution shallow and lets a long kernel be split between statements.
     */
    static final int MAX_FUSED_OPERATIONS = 12;

    /** ...and no tensor larger than this. */
    static final int UNROLL_TENSOR_LIMIT = 64;

    /** How leaves (inputs, targets, parameters, arguments) and stored arrays are reached. */
    interface Context {
        /**
         * The element {@code index} of the leaf {@code op}; in tiled kernels, of the sample that
         * the batch variable {@code batch} names (inputs and targets only; parameters are shared).
         */
        CodeBlock read(LeafOp.Read op, Index index, CodeBlock batch);

        /** A field that holds a stored scalar in split kernels; its name. */
        String scalar(String suggestedName);

        /** An array of {@code size} elements that holds a stored node; declares it where needed. */
        String array(Node node, String suggestedName, int size, CodeBlock.Builder declarations);

        /**
         * A field holding matrix parameter {@code op} as an array of its columns, so that a
         * product with the parameter can run along contiguous arrays: the parameter itself when
         * it is stored by columns, otherwise a copy the class keeps up to date.
         */
        String columns(LeafOp.Param op);

        /** A field holding matrix parameter {@code op} as an array of its rows, kept up to date by the class. */
        String rows(LeafOp.Param op);

        /** Whether {@code field} is a copy of a parameter, which the class refreshes after an update. */
        boolean isCopy(String field);

        /** A field of {@code rows} arrays of {@code cols} elements that holds a stored node per sample. */
        String array2D(Node node, String suggestedName, int rows, int cols);

        /**
         * A {@code static final int[]} field set to {@code initializer}, one per distinct
         * initializer in the class (a convolution's tap offsets); network classes only, like
         * {@link #array2D}.
         */
        default String intTable(String suggestedName, CodeBlock initializer) {
            throw new dev.nnc.compiler.diagnostic.InternalCompilerError("only network classes have tables");
        }

        /** Whether {@link #array2D} can give scratch rows: network classes, not function classes. */
        default boolean hasScratchRows() {
            return true;
        }

        /** Samples per tile, the rows of every per-sample array of a tiled kernel ({@link Tiles}). */
        int tileRows();

        /** The rows of a tile that hold leaf {@code op} per sample, if the tile copies it into rows. */
        default java.util.Optional<SampleRows> sampleRows(LeafOp.Read op) {
            return java.util.Optional.empty();
        }

        /** The field that holds vector parameter {@code op} whole, if it is kept as one array. */
        default java.util.Optional<CodeBlock> vectorField(LeafOp.Param op) {
            return java.util.Optional.empty();
        }
    }

    /**
     * A per-sample vector of a tiled kernel as it sits in memory: element {@code i} of sample
     * {@code b} is {@code array[b][offset + i]}.
     */
    record SampleRows(CodeBlock array, int offset) {}

    private final Graph graph;
    private final Numeric numeric;
    private final JavaNames names;
    private final Context context;
    private final BitSet live;
    private final int[] uses;
    private final boolean[] inlined;
    private final boolean unrolled;
    /**
     * Whether the kernel is split into several methods: then stored scalars live in fields
     * (named by {@link Context#scalar}) instead of locals, so that every part can read them.
     */
    private final boolean split;
    /**
     * Whether the kernel works on a tile of up to {@link #TILE} samples at once ({@code m} of
     * them, in rows): values that depend on the sample are stored per row, values of the
     * parameters alone once per tile, and products with a weight matrix reuse each weight row for
     * several samples.
     */
    private final boolean tiled;
    /** Whether the kernel computes predictions only (the forward kernel of {@code predict}). */
    private final boolean predictsOnly;
    /** Nodes whose value depends on the sample (inputs, targets, dropout masks). */
    private final boolean[] batched;
    /** The sample a tiled expression is about: {@code b}, or {@code b + 1} in blocked loops. */
    private CodeBlock batch = CodeBlock.of("b");

    private boolean readsTransposes;
    /**
     * Softmax cross-entropy nodes whose logits also feed a softmax computed later in the kernel
     * (its gradient needs it): both are computed in one pass, sharing {@code exp(z - max)},
     * instead of exponentiating every logit twice.
     */
    private final Map<Integer, Integer> softmaxOfCrossEntropy = new HashMap<>();
    /** The inverse of {@link #softmaxOfCrossEntropy}. */
    private final Map<Integer, Integer> crossEntropyOfSoftmax = new HashMap<>();
    /** Nodes already computed together with an earlier one. */
    private final BitSet precomputed = new BitSet();
    /**
     * Tiled products {@code W x} read only by a sum {@code W x + bias} with a per-tile vector,
     * keyed by the product: the product starts each output row from the bias instead of zero and
     * leaves the sum in one array, which saves a pass over the tile and an array per layer.
     */
    private final Map<Integer, BiasedProduct> biasedProducts = new HashMap<>();

    /** A product's only reader {@code sum = product + bias}. */
    record BiasedProduct(int sum, int bias) {}

    /**
     * The input layer of a training kernel that {@link InputLayerSplit} can split by inputs: the
     * product {@code W x} of the input and its weight gradient, an outer product.
     */
    record InputSplitSite(int product, int gradient, String weight, int inputOffset) {}

    private java.util.Optional<InputSplitSite> inputSplit = java.util.Optional.empty();

    private final Map<Integer, String> stored = new HashMap<>();
    /** Names of the scalar locals of each stored tensor, in unrolled kernels. */
    private final Map<Integer, String[]> elementNames = new HashMap<>();

    private final CodeBlock.Builder declarations = CodeBlock.builder();
    /** Names of the private static helpers ({@code sigmoid}, {@code square}, ...) the code calls. */
    private final java.util.Set<String> helpers = new java.util.TreeSet<>();

    KernelEmitter(
            Graph graph,
            Predicate<Output> outputs,
            Numeric numeric,
            JavaNames names,
            Context context,
            boolean split,
            boolean tileable,
            boolean splitsBatches) {
        this.graph = graph;
        this.numeric = numeric;
        this.names = names;
        this.context = context;
        this.live = graph.reachableFrom(outputs);
        this.uses = new int[graph.size()];
        int[] sinkUses = new int[graph.size()];
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            for (int arg : graph.node(id).args()) {
                uses[arg]++;
            }
        }
        for (Output output : graph.outputs()) {
            if (outputs.test(output)) {
                uses[output.node()]++;
                sinkUses[output.node()]++;
            }
        }
        this.predictsOnly =
                graph.outputs().stream().filter(outputs).allMatch(output -> output.kind() == Output.Kind.PREDICTION);
        this.inlined = new boolean[graph.size()];
        markFusions();
        // An output read once by its sink (a gradient accumulation, the prediction row) and by
        // nothing else is fused into the sink's loop too.
        for (int id = 0; id < sinkUses.length; id++) {
            if (sinkUses[id] == 1 && uses[id] == 1 && isFusable(graph.node(id).op())) {
                inlined[id] = true;
            }
        }
        this.split = split;
        // Batch statistics need every sample of the batch at once: only a tile holds them.
        boolean batchStatistics = readsBatchStatistics(graph, live);
        if (batchStatistics && !tileable) {
            throw new InternalCompilerError("a kernel that cannot tile reads the statistics of a batch");
        }
        this.unrolled =
                !split && !batchStatistics && !hasWindowLoops() && Unrolling.choose(storedScalars(), largestTensor());
        this.batched = new boolean[graph.size()];
        boolean weightProducts = false;
        BitSet perSample = graph.sampleDependent();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            batched[id] = perSample.get(id);
            weightProducts |= node.op() instanceof TensorOp.MatVec && !perSample.get(node.arg(0));
        }
        // Tiles pay off where a weight matrix can serve several samples per pass over it; a
        // kernel without such a product (a chain of scalars, say) stays per sample.
        this.tiled = tileable && !unrolled && (weightProducts || batchStatistics);
        if (tiled) {
            // A convolution weight's gradient read only by its sink is summed over the tile there
            // (TileGradientSinks), never stored sample by sample.
            for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
                if (graph.node(id).op() instanceof SpatialOp.ConvWeightGrad && sinkUses[id] == 1 && uses[id] == 1) {
                    inlined[id] = true;
                }
                // So is a product of per-sample matrices read only by its sink (a recurrent
                // weight's Σ_t dq_t h_{t-1}^T), directly or through a transpose. A product of
                // parameters alone (the gradient of a weight in a penalty on a product of two
                // weights) is the same for every sample: it is stored once per tile, and its sink
                // adds it m times over.
                if (sinkUses[id] == 1 && uses[id] == 1) {
                    RowOuterSum.of(graph, id)
                            .filter(sum -> uses[sum.product()] == 1 && batched[sum.product()])
                            .ifPresent(sum -> inlined[sum.product()] = true);
                }
            }
        }
        pairSoftmaxWithCrossEntropy();
        findBiasedProducts();
        if (splitsBatches) {
            findInputSplit(outputs);
        }
    }

    /**
     * Whether a live node of {@code graph} is a {@link BatchOp}: the kernel then needs the whole
     * batch in one tile, and the class runs its training on one thread.
     */
    static boolean readsBatchStatistics(Graph graph, BitSet live) {
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            if (graph.node(id).op() instanceof BatchOp) {
                return true;
            }
        }
        return false;
    }

    /**
     * Fills {@link #softmaxOfCrossEntropy}: a stored softmax cross-entropy and a stored softmax
     * of the same logits, computed once per tile or both once per sample, where the first of
     * them is computed (so the second one's operands must be ready there); a softmax is paired
     * at most once, since each pairing computes it. A loss against a
     * per-sample target of logits that are not per sample (a layer over parameters alone) runs
     * once per sample while the softmax runs once per tile, so the two stay apart.
     */
    private void pairSoftmaxWithCrossEntropy() {
        Map<Integer, Integer> softmaxOfLogits = new HashMap<>();
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (node.op() instanceof VectorOp.Softmax && isStored(id)) {
                softmaxOfLogits.putIfAbsent(node.arg(0), id);
            }
        }
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            Integer softmax = softmaxOfLogits.get(node.op() instanceof LossOp.SoftmaxCrossEntropy ? node.arg(0) : -1);
            if (softmax != null
                    && !crossEntropyOfSoftmax.containsKey(softmax)
                    && isStored(id)
                    && isBatched(id) == isBatched(softmax)
                    && readyAt(graph.node(Math.max(id, softmax)), Math.min(id, softmax))) {
                softmaxOfCrossEntropy.put(id, softmax);
                crossEntropyOfSoftmax.put(softmax, id);
            }
        }
    }

    /**
     * Whether every operand of {@code node} is available where node {@code position} is computed:
     * computed earlier, or a leaf that is read where it lies. A pair computed together is
     * computed where the first of the two is, and the second one's operands (a loss's target
     * computed after the softmax, say) must be ready by then.
     */
    private boolean readyAt(Node node, int position) {
        for (int arg : node.args()) {
            Op op = graph.node(arg).op();
            boolean leaf =
                    op instanceof LeafOp.Constant || (op instanceof LeafOp.Read && !(op instanceof LeafOp.DropoutMask));
            if (arg >= position && !leaf) {
                return false;
            }
        }
        return true;
    }

    /**
     * Fills {@link #inputSplit}, in a class that splits batches across threads: a tiled kernel,
     * one input read only by {@code W x} and by the outer product that is the whole gradient of
     * {@code W}, and {@code W} read only by that product. The class decides, not the kernel's
     * graph: the deterministic gradient kernel of a class with dropout has no dropout masks, yet
     * its class never splits a batch.
     */
    private void findInputSplit(Predicate<Output> outputs) {
        if (!tiled) {
            return;
        }
        int input = -1;
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Op op = graph.node(id).op();
            if (op instanceof LeafOp.Input && input >= 0) {
                return;
            }
            if (op instanceof LeafOp.Input) {
                input = id;
            }
        }
        if (input < 0 || uses[input] != 2) {
            return;
        }
        StructuredEmitter structured = new StructuredEmitter(this, numeric);
        for (Output output : graph.outputs()) {
            Node outer = graph.node(output.node());
            if (output.kind() != Output.Kind.GRADIENT
                    || !outputs.test(output)
                    || !(outer.op() instanceof TensorOp.Outer)
                    || outer.arg(1) != input
                    || !inlined[outer.id()]
                    || !isStored(outer.arg(0))) {
                continue;
            }
            for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
                Node product = graph.node(id);
                if (product.op() instanceof TensorOp.MatVec
                        && product.arg(1) == input
                        && graph.node(product.arg(0)).op() instanceof LeafOp.Param param
                        && param.name().equals(output.name())
                        && uses[product.arg(0)] == 1
                        && isStored(id)
                        && structured.handlesTile(product)) {
                    LeafOp.Input read = (LeafOp.Input) graph.node(input).op();
                    inputSplit = java.util.Optional.of(new InputSplitSite(id, outer.id(), param.name(), read.offset()));
                    return;
                }
            }
        }
    }

    /** The input layer this training kernel splits by inputs when a batch is split, if any. */
    java.util.Optional<InputSplitSite> inputSplit() {
        return inputSplit;
    }

    /** Fills {@link #biasedProducts}. */
    private void findBiasedProducts() {
        if (!tiled) {
            return;
        }
        StructuredEmitter structured = new StructuredEmitter(this, numeric);
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node sum = graph.node(id);
            if (!(sum.op() instanceof BinaryOp.Add) || !batched[id]) {
                continue;
            }
            for (int side = 0; side < 2; side++) {
                int product = sum.arg(side);
                int bias = sum.arg(1 - side);
                // The bias must be ready when the product starts: a parameter, or computed earlier.
                if (uses[product] == 1
                        && (bias < product || graph.node(bias).op() instanceof LeafOp.Param)
                        && !batched[bias]
                        && isStored(product)
                        && structured.handlesTile(graph.node(product))
                        && graph.node(bias).shape().equals(sum.shape())
                        && graph.node(product).shape().equals(sum.shape())) {
                    biasedProducts.put(product, new BiasedProduct(id, bias));
                    break;
                }
            }
        }
    }

    /** Whether sum {@code sum} is left by a tiled product in the product's array (see {@link #biasOf}). */
    boolean isLeftByProduct(int sum) {
        return biasedProducts.values().stream().anyMatch(biased -> biased.sum() == sum);
    }

    /** The bias that tiled product {@code product} starts from, if it has one. */
    java.util.Optional<BiasedProduct> biasOf(int product) {
        return java.util.Optional.ofNullable(biasedProducts.get(product));
    }

    boolean isUnrolled() {
        return unrolled;
    }

    boolean isTiled() {
        return tiled;
    }

    /** Whether node {@code id} is fused into the expressions that read it. */
    boolean isInlined(int id) {
        return inlined[id];
    }

    boolean isBatched(int id) {
        return tiled && batched[id];
    }

    /** The batch variable tiled expressions use; see {@link #withBatch}. */
    CodeBlock batch() {
        return batch;
    }

    /** Runs {@code body} with tiled expressions about the sample {@code sample} ({@code b + 2}). */
    <T> T withBatch(CodeBlock sample, java.util.function.Supplier<T> body) {
        CodeBlock saved = batch;
        batch = sample;
        try {
            return body.get();
        } finally {
            batch = saved;
        }
    }

    /**
     * The start of the statement that defines stored scalar {@code id}: its type when it is a
     * local, nothing when it is a field or an element of a per-sample array.
     */
    String scalarPrefix(int id, String type) {
        return split || isBatched(id) ? "" : type + " ";
    }

    /**
     * Where element {@code flat} of stored node {@code id} is written (loop and tiled kernels):
     * {@code t3}, {@code hidden[i]}, or per sample {@code hidden[b * 32 + i]}, {@code t3[b]}.
     */
    CodeBlock slot(int id, CodeBlock flat) {
        String name = stored.get(id);
        Shape shape = graph.node(id).shape();
        if (isBatched(id)) {
            return shape.isScalar()
                    ? CodeBlock.of("$N[$L]", name, batch)
                    : CodeBlock.of("$N[$L][$L]", name, batch, flat);
        }
        return shape.isScalar() ? CodeBlock.of("$N", name) : CodeBlock.of("$N[$L]", name, flat);
    }

    /** The field holding matrix parameter {@code param} as columns (rows of its transpose). */
    String columnsName(LeafOp.Param param) {
        String field = context.columns(param);
        readsTransposes |= context.isCopy(field);
        return field;
    }

    /** The field holding matrix parameter {@code param} as rows; the class keeps it current. */
    String rowsName(LeafOp.Param param) {
        readsTransposes = true;
        return context.rows(param);
    }

    /** Whether the statements read a transposed weight, which must be current first. */
    boolean readsTransposes() {
        return readsTransposes;
    }

    /**
     * Node {@code id} of a tiled kernel as rows, one per sample, when it is kept that way (a
     * stored per-sample vector, or an input or target copied into the tile's rows); empty for a
     * fused expression, a view or a scalar, which have no rows to hand to a library kernel.
     */
    java.util.Optional<SampleRows> sampleRows(int id) {
        Node node = graph.node(id);
        if (!isBatched(id) || node.shape().isScalar() || unrolled) {
            return java.util.Optional.empty();
        }
        if (stored.containsKey(id)) {
            return java.util.Optional.of(new SampleRows(CodeBlock.of("$N", stored.get(id)), 0));
        }
        if (node.op() instanceof SpatialOp.Reshape) {
            // A sample's row holds its elements in row-major order whatever the shape.
            return sampleRows(node.arg(0));
        }
        if (node.op() instanceof LeafOp.Read read && !inlined[id]) {
            return context.sampleRows(read);
        }
        return java.util.Optional.empty();
    }

    /**
     * The array that holds vector node {@code id} whole, if there is one: a vector parameter's
     * field, or a stored vector of the parameters alone (computed once per tile).
     */
    java.util.Optional<CodeBlock> wholeVector(int id) {
        Node node = graph.node(id);
        if (isBatched(id) || unrolled || !node.shape().isVector()) {
            return java.util.Optional.empty();
        }
        if (stored.containsKey(id)) {
            return java.util.Optional.of(CodeBlock.of("$N", stored.get(id)));
        }
        if (node.op() instanceof LeafOp.Param param) {
            return context.vectorField(param);
        }
        return java.util.Optional.empty();
    }

    /**
     * The flat array that holds node {@code id} for the current sample, if there is one: its
     * row of the tile ({@code rows[b]}, from the row's offset), or the field of a parameter kept
     * whole in one array (a vector, or a convolution weight of rank 3 or 4).
     */
    java.util.Optional<SampleRows> flatArray(int id) {
        java.util.Optional<SampleRows> rows = sampleRows(id);
        if (rows.isPresent()) {
            return java.util.Optional.of(new SampleRows(
                    CodeBlock.of("$L[$L]", rows.get().array(), batch),
                    rows.get().offset()));
        }
        Node node = graph.node(id);
        if (!unrolled
                && node.op() instanceof LeafOp.Param param
                && (node.shape().isVector() || node.shape().rank() > 2)) {
            return context.vectorField(param).map(field -> new SampleRows(field, 0));
        }
        return java.util.Optional.empty();
    }

    /**
     * Node {@code id} of the current sample as a row-major run of a flat array from an offset, if
     * it lies so: what {@link #flatArray} finds, or a reshape or a slice of rows of such a run
     * (the rows of one block of a recurrent layer's trace, say); empty for a fused expression and
     * for the other views.
     */
    java.util.Optional<SampleRows> flatRun(int id) {
        Node node = graph.node(id);
        if (unrolled || inlined[id]) {
            return java.util.Optional.empty();
        }
        if (stored.containsKey(id)) {
            return isBatched(id) || node.shape().isScalar()
                    ? flatArray(id)
                    : java.util.Optional.of(new SampleRows(CodeBlock.of("$N", stored.get(id)), 0));
        }
        if (node.op() instanceof SpatialOp.Reshape) {
            return flatRun(node.arg(0));
        }
        if (node.op() instanceof SpatialOp.Slice slice) {
            int offset = slice.from() * node.shape().cols();
            return flatRun(node.arg(0)).map(run -> new SampleRows(run.array(), run.offset() + offset));
        }
        return flatArray(id);
    }

    /** Whether the kernel computes predictions only, so a tile of one sample is worth a form of its own. */
    boolean predictsOnly() {
        return predictsOnly;
    }

    /** The name of the array or local holding stored node {@code id}. */
    String storedName(int id) {
        return stored.get(id);
    }

    /**
     * {@code tanh(x)}: {@code Math.tanh} in double; in float the class's helper through {@code
     * Math.exp}, which HotSpot compiles to an intrinsic where {@code Math.tanh} stays a call.
     */
    CodeBlock tanh(CodeBlock x) {
        return numeric.isFloat() ? CodeBlock.of("$N($L)", helper("tanh"), x) : numeric.math("tanh", x);
    }

    /** The name of the private static helper {@code name}, which the class then defines. */
    String helper(String name) {
        helpers.add(name);
        return name;
    }

    java.util.Set<String> helpers() {
        return helpers;
    }

    /** Array or local declarations that the statements need, to be placed before them. */
    CodeBlock declarations() {
        return declarations.build();
    }

    /**
     * A node is fused into its user when it is elementwise, used exactly once, and read by
     * that user at the same element (the operand of another elementwise node or of an outer
     * product's sink), so that fusing it never computes anything twice.
     */
    private void markFusions() {
        int[] size = new int[graph.size()];
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            size[id] = 1;
            if (!isElementwise(node.op()) || node.op() instanceof BinaryOp.MaxShare) {
                // The operands of a share are read twice, so an inlined one would be computed twice.
                continue;
            }
            for (int a = 0; a < node.args().size(); a++) {
                int arg = node.arg(a);
                Node operand = graph.node(arg);
                if (uses[arg] == 1
                        && !readsTwice(node.op(), a)
                        && isFusable(operand.op())
                        && operand.shape().equals(node.shape())
                        && size[id] + size[arg] <= MAX_FUSED_OPERATIONS) {
                    inlined[arg] = true;
                    size[id] += size[arg];
                }
            }
        }
    }

    /**
     * Whether the Java form of {@code op} names operand {@code a} twice, so that fusing the
     * operand would compute it twice: {@code (x >= 0 ? 1 : e) / (1 + e)} reads {@code e} twice.
     */
    private static boolean readsTwice(Op op, int a) {
        return op instanceof BinaryOp.SigmoidFromExp && a == 1;
    }

    private static boolean isElementwise(Op op) {
        return op instanceof UnaryOp || op instanceof BinaryOp;
    }

    private static boolean isFusable(Op op) {
        return op instanceof UnaryOp || op instanceof BinaryOp || op instanceof TensorOp.Outer;
    }

    private boolean isView(Op op) {
        return op instanceof TensorOp.Broadcast
                || op instanceof TensorOp.Tile
                || op instanceof TensorOp.Spread
                || op instanceof TensorOp.Transpose
                || op instanceof TensorOp.Element
                || op instanceof TensorOp.Scatter
                || op instanceof SpatialOp.Reshape
                || op instanceof SpatialOp.Slice
                || op instanceof SpatialOp.Unslice
                || op instanceof SpatialOp.ChannelSpread
                || op instanceof SpatialOp.Concat
                || op instanceof TensorOp.Embedding
                || op instanceof TensorOp.EmbeddingGrad;
    }

    private boolean isStored(int id) {
        Op op = graph.node(id).op();
        return live.get(id)
                && !inlined[id]
                && !isView(op)
                && !(op instanceof LeafOp.Constant)
                && !(op instanceof LeafOp.Read read && !(read instanceof LeafOp.DropoutMask));
    }

    /**
     * The largest tensor any live node reads or makes: unrolling a matrix-vector product or a sum
     * writes one term per element into a single expression, which must stay short.
     */
    private int largestTensor() {
        int largest = 1;
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            largest = Math.max(largest, graph.node(id).shape().size());
        }
        return largest;
    }

    /**
     * Whether a live node runs a loop nest or {@link WindowLoops}, which index arrays and
     * so cannot be unrolled.
     */
    private boolean hasWindowLoops() {
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            Node node = graph.node(id);
            if (Loops.lowers(node) || Loops.recurs(node) || WindowLoops.computes(node)) {
                return true;
            }
        }
        return false;
    }

    private int storedScalars() {
        int total = 0;
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            if (isStored(id)) {
                total += graph.node(id).shape().size();
            }
        }
        return total;
    }

    /** The statements computing every stored node, in order. */
    CodeBlock statements() {
        return CodeBlock.join(segments(), "");
    }

    /**
     * The statements computing every stored node, one block per node (with its source comment),
     * in order: the units a split kernel is cut into.
     */
    List<CodeBlock> segments() {
        List<CodeBlock> segments = new java.util.ArrayList<>();
        String lastComment = "";
        for (int id = live.nextSetBit(0); id >= 0; id = live.nextSetBit(id + 1)) {
            if (!isStored(id) || precomputed.get(id)) {
                continue;
            }
            Node node = graph.node(id);
            CodeBlock.Builder code = CodeBlock.builder();
            BiasedProduct biased = biasedProducts.get(id);
            // A product that leaves its sum behind is where the sum, with its source line, is made.
            String comment = comment(biased == null ? node : graph.node(biased.sum()));
            if (!comment.isEmpty() && !comment.equals(lastComment)) {
                code.add("// $L\n", Comments.line(comment));
                lastComment = comment;
            }
            segments.add(code.add(store(node)).build());
        }
        return segments;
    }

    /** {@code xor.nn:6 hidden}, or {@code grad of xor.nn:6 hidden} for adjoints. */
    private static String comment(Node node) {
        return node.origin()
                .span()
                .map(span -> {
                    String name = node.origin().name();
                    String file = span.file().substring(span.file().lastIndexOf('/') + 1);
                    return name.startsWith("d_")
                            ? "grad of " + file + ":" + span.line() + "  " + name.substring(2)
                            : file + ":" + span.line() + "  " + name;
                })
                .orElse("");
    }

    /** The element {@code index} of node {@code id}, as an expression. */
    CodeBlock ref(int id, Index index) {
        Node node = graph.node(id);
        Op op = node.op();
        if (stored.containsKey(id)) {
            return storedRef(id, node.shape(), index);
        }
        if (op instanceof LeafOp.Constant constant) {
            return CodeBlock.of("$L", numeric.literal(constant.value()));
        }
        if (op instanceof LeafOp.Read read) {
            return context.read(read, index, tiled ? batch : null);
        }
        if (inlined[id]) {
            CodeBlock expression = element(node, index);
            return needsParentheses(node.op()) ? CodeBlock.of("($L)", expression) : expression;
        }
        if (op instanceof TensorOp.Broadcast) {
            return ref(node.arg(0), Index.literal(0, Shape.scalar()));
        }
        if (op instanceof TensorOp.Element element) {
            return ref(
                    node.arg(0),
                    Index.literal(element.index(), graph.node(node.arg(0)).shape()));
        }
        if (op instanceof TensorOp.Scatter scatter) {
            CodeBlock value = ref(node.arg(0), Index.literal(0, Shape.scalar()));
            if (index.isLiteral()) {
                return index.literal() == scatter.index() ? value : CodeBlock.of("$L", numeric.literal(0));
            }
            return CodeBlock.of("($L == $L ? $L : $L)", index.flat(), scatter.index(), value, numeric.literal(0));
        }
        if (op instanceof TensorOp.Tile) {
            return ref(node.arg(0), index.asVectorElement(index.col(), index.literalCol()));
        }
        if (op instanceof TensorOp.Spread) {
            return ref(node.arg(0), index.asVectorElement(index.row(), index.literalRow()));
        }
        if (op instanceof TensorOp.Transpose) {
            return ref(node.arg(0), index.transposed(node.shape().rows()));
        }
        if (op instanceof SpatialOp spatial) {
            return spatialView(node, spatial, index);
        }
        if (op instanceof TensorOp.Embedding) {
            return EmbeddingRows.lookup(this, node, index);
        }
        if (op instanceof TensorOp.EmbeddingGrad) {
            return EmbeddingRows.gradientElement(this, node, index, numeric.literal(0));
        }
        throw new InternalCompilerError("node %" + id + " (" + op.mnemonic() + ") is neither stored nor a view");
    }

    /**
     * The element {@code index} of a view of the {@link SpatialOp} family: a reshape, a slice or
     * a concatenation reads its operands at shifted row-major positions, an unslice reads zeros
     * outside its rows, a channel spread the channel's one value.
     */
    private CodeBlock spatialView(Node node, SpatialOp op, Index index) {
        if (op instanceof SpatialOp.Reshape) {
            return ref(node.arg(0), index.shifted(0, shapeOf(node.arg(0))));
        }
        if (op instanceof SpatialOp.Slice slice) {
            return ref(node.arg(0), index.shifted(slice.from() * node.shape().cols(), shapeOf(node.arg(0))));
        }
        if (op instanceof SpatialOp.Unslice unslice) {
            int from = unslice.from() * unslice.full().cols();
            int to = from + shapeOf(node.arg(0)).size();
            CodeBlock zero = CodeBlock.of("$L", numeric.literal(0));
            if (index.isLiteral()) {
                return index.literal() >= from && index.literal() < to
                        ? ref(node.arg(0), index.shifted(-from, shapeOf(node.arg(0))))
                        : zero;
            }
            return CodeBlock.of(
                    "($L >= $L && $L < $L ? $L : $L)",
                    index.flat(),
                    from,
                    index.flat(),
                    to,
                    ref(node.arg(0), index.shifted(-from, shapeOf(node.arg(0)))),
                    zero);
        }
        if (op instanceof SpatialOp.ChannelSpread spread) {
            int plane = spread.target().size() / spread.target().dim(0);
            Shape channels = shapeOf(node.arg(0));
            if (index.isLiteral()) {
                return ref(node.arg(0), Index.literal(index.literal() / plane, channels));
            }
            return ref(node.arg(0), Index.flat(CodeBlock.of("($L) / $L", index.flat(), plane)));
        }
        if (op instanceof SpatialOp.Concat) {
            return concatenated(node, index);
        }
        throw new InternalCompilerError("node %" + node.id() + " (" + op.mnemonic() + ") is not a view");
    }

    // (i < 6 ? a[i] : b[i - 6])
    private CodeBlock concatenated(Node node, Index index) {
        int start = 0;
        java.util.List<Integer> starts = new java.util.ArrayList<>();
        for (int arg : node.args()) {
            starts.add(start);
            start += shapeOf(arg).size();
        }
        int last = node.args().size() - 1;
        if (index.isLiteral()) {
            int part = last;
            while (starts.get(part) > index.literal()) {
                part--;
            }
            return ref(node.arg(part), index.shifted(-starts.get(part), shapeOf(node.arg(part))));
        }
        CodeBlock chosen = ref(node.arg(last), index.shifted(-starts.get(last), shapeOf(node.arg(last))));
        for (int part = last - 1; part >= 0; part--) {
            chosen = CodeBlock.of(
                    "($L < $L ? $L : $L)",
                    index.flat(),
                    starts.get(part + 1),
                    ref(node.arg(part), index.shifted(-starts.get(part), shapeOf(node.arg(part)))),
                    chosen);
        }
        return chosen;
    }

    private Shape shapeOf(int id) {
        return graph.node(id).shape();
    }

    private CodeBlock storedRef(int id, Shape shape, Index index) {
        if (unrolled && !shape.isScalar()) {
            return CodeBlock.of("$N", elementNames.get(id)[index.literal()]);
        }
        return slot(id, index.flat());
    }

    /** {@link #ref} without the parentheses around a fused expression, for a call's argument. */
    private CodeBlock bareRef(int id, Index index) {
        return inlined[id] && !stored.containsKey(id) ? element(graph.node(id), index) : ref(id, index);
    }

    /** Whether the Java form of {@code op} is a call with its operand as the only argument. */
    private static boolean isCall(UnaryOp op) {
        return !(op instanceof UnaryOp.Negate
                || op instanceof UnaryOp.LeakySlope
                || op instanceof UnaryOp.Power power && (power.exponent() == -1 || power.exponent() == 1));
    }

    /**
     * Whether a fused expression must be parenthesised inside its user's: operators must, calls
     * and the already parenthesised conditionals need not.
     */
    private static boolean needsParentheses(Op op) {
        return op instanceof BinaryOp.Add
                || op instanceof BinaryOp.Subtract
                || op instanceof BinaryOp.Multiply
                || op instanceof BinaryOp.Divide
                || op instanceof UnaryOp.Negate
                || op instanceof BinaryOp.SigmoidFromExp
                || op instanceof BinaryOp.SoftplusFromExp
                || op instanceof TensorOp.Outer
                || (op instanceof UnaryOp.Power power && power.exponent() == -1);
    }

    /** The expression for one element of an elementwise node (or an outer product). */
    /** Element {@code index} of elementwise node {@code node}, from its operands: its op's Java. */
    CodeBlock element(Node node, Index index) {
        Op op = node.op();
        if (op instanceof UnaryOp unary) {
            int operand = node.arg(0);
            // A call's argument needs no parentheses of its own: Math.tanh(a + b), not ((a + b)).
            return unary(unary, isCall(unary) ? bareRef(operand, index) : ref(operand, index));
        }
        if (op instanceof BinaryOp binary) {
            boolean call = binary instanceof BinaryOp.Max || binary instanceof BinaryOp.Min;
            return binary(
                    binary,
                    call ? bareRef(node.arg(0), index) : ref(node.arg(0), index),
                    call ? bareRef(node.arg(1), index) : ref(node.arg(1), index));
        }
        if (op instanceof TensorOp.Outer) {
            return CodeBlock.of(
                    "$L * $L",
                    ref(node.arg(0), index.asVectorElement(index.row(), index.literalRow())),
                    ref(node.arg(1), index.asVectorElement(index.col(), index.literalCol())));
        }
        throw new InternalCompilerError("not elementwise: " + op.mnemonic());
    }

    private CodeBlock unary(UnaryOp op, CodeBlock a) {
        String zero = numeric.literal(0);
        String one = numeric.literal(1);
        if (op instanceof UnaryOp.Negate) {
            return CodeBlock.of("-$L", a);
        }
        if (op instanceof UnaryOp.Sigmoid) {
            helpers.add("sigmoid");
            return CodeBlock.of("sigmoid($L)", a);
        }
        if (op instanceof UnaryOp.Tanh) {
            return tanh(a);
        }
        if (op instanceof UnaryOp.Relu) {
            // Math.max keeps NaN (a ternary would turn it into 0 and hide it from the loss check).
            return CodeBlock.of("$T.max($L, $L)", JavaLang.MATH, a, zero);
        }
        if (op instanceof UnaryOp.LeakyRelu leaky) {
            helpers.add("leakyRelu");
            return CodeBlock.of("leakyRelu($L, $L)", a, numeric.literal(leaky.alpha()));
        }
        if (op instanceof UnaryOp.Elu elu) {
            helpers.add("elu");
            return CodeBlock.of("elu($L, $L)", a, numeric.literal(elu.alpha()));
        }
        if (op instanceof UnaryOp.ExpNegAbs) {
            return numeric.math("exp", CodeBlock.of("-$T.abs($L)", JavaLang.MATH, a));
        }
        if (op instanceof UnaryOp.Gaussian) {
            helpers.add("gaussian");
            return CodeBlock.of("gaussian($L)", a);
        }
        if (op instanceof UnaryOp.Step) {
            helpers.add("step");
            return CodeBlock.of("step($L)", a);
        }
        if (op instanceof UnaryOp.Sign) {
            return numeric.isFloat()
                    ? CodeBlock.of("$T.signum($L)", JavaLang.MATH, a)
                    : CodeBlock.of("$T.signum($L)", JavaLang.MATH, a);
        }
        if (op instanceof UnaryOp.LeakySlope slope) {
            return CodeBlock.of("($L > $L ? $L : $L)", a, zero, one, numeric.literal(slope.alpha()));
        }
        if (op instanceof UnaryOp.Exp) {
            return numeric.math("exp", a);
        }
        if (op instanceof UnaryOp.Log) {
            return numeric.math("log", a);
        }
        if (op instanceof UnaryOp.Sqrt) {
            return numeric.math("sqrt", a);
        }
        if (op instanceof UnaryOp.Abs) {
            return CodeBlock.of("$T.abs($L)", JavaLang.MATH, a);
        }
        if (op instanceof UnaryOp.Sin) {
            return numeric.math("sin", a);
        }
        if (op instanceof UnaryOp.Cos) {
            return numeric.math("cos", a);
        }
        if (op instanceof UnaryOp.Power power) {
            return power(power.exponent(), a);
        }
        throw new InternalCompilerError("no Java form for " + op.mnemonic());
    }

    /** Integer powers as products (never Math.pow), square roots and reciprocals directly. */
    private CodeBlock power(double exponent, CodeBlock a) {
        if (exponent == 1) {
            return a;
        }
        if (exponent == 2) {
            helpers.add("square");
            return CodeBlock.of("square($L)", a);
        }
        if (exponent == 3) {
            helpers.add("cube");
            return CodeBlock.of("cube($L)", a);
        }
        if (exponent == 0.5) {
            return numeric.math("sqrt", a);
        }
        if (exponent == -1) {
            return CodeBlock.of("$L / $L", numeric.literal(1), a);
        }
        return numeric.math("pow", a, CodeBlock.of("$L", Literals.ofDouble(exponent)));
    }

    private CodeBlock binary(BinaryOp op, CodeBlock a, CodeBlock b) {
        if (op instanceof BinaryOp.Add) {
            return CodeBlock.of("$L + $L", a, b);
        }
        if (op instanceof BinaryOp.Subtract) {
            return CodeBlock.of("$L - $L", a, b);
        }
        if (op instanceof BinaryOp.Multiply) {
            return CodeBlock.of("$L * $L", a, b);
        }
        if (op instanceof BinaryOp.Divide) {
            return CodeBlock.of("$L / $L", a, b);
        }
        if (op instanceof BinaryOp.Max) {
            return CodeBlock.of("$T.max($L, $L)", JavaLang.MATH, a, b);
        }
        if (op instanceof BinaryOp.Min) {
            return CodeBlock.of("$T.min($L, $L)", JavaLang.MATH, a, b);
        }
        if (op instanceof BinaryOp.MaxShare) {
            // Reads each operand twice: markFusions keeps them stored, never inlined.
            return CodeBlock.of(
                    "($L < $L ? $L : $L == $L ? $L : $L)",
                    a,
                    b,
                    numeric.literal(0),
                    a,
                    b,
                    numeric.literal(0.5),
                    numeric.literal(1));
        }
        if (op instanceof BinaryOp.Compare compare) {
            return CodeBlock.of(
                    "($L $L $L ? $L : $L)",
                    a,
                    comparison(compare.relation()),
                    b,
                    numeric.literal(1),
                    numeric.literal(0));
        }
        if (op instanceof BinaryOp.SigmoidFromExp) {
            // The sigmoid helper's formula, with exp(-|x|) read from where it was computed.
            return CodeBlock.of(
                    "($L >= $L ? $L : $L) / ($L + $L)",
                    a,
                    numeric.literal(0),
                    numeric.literal(1),
                    b,
                    numeric.literal(1),
                    b);
        }
        if (op instanceof BinaryOp.SoftplusFromExp) {
            return CodeBlock.of("$T.max($L, $L) + $L", JavaLang.MATH, a, numeric.literal(0), numeric.math("log1p", b));
        }
        if (op instanceof BinaryOp.EluSlope slope) {
            return CodeBlock.of(
                    "($L > $L ? $L : $L + $L)",
                    a,
                    numeric.literal(0),
                    numeric.literal(1),
                    b,
                    numeric.literal(slope.alpha()));
        }
        throw new InternalCompilerError("no Java form for " + op.mnemonic());
    }

    private static String comparison(BinaryOp.Comparison relation) {
        return switch (relation) {
            case GE -> ">=";
            case GT -> ">";
            case LE -> "<=";
            case LT -> "<";
        };
    }

    /** The statements that compute and store node {@code node}. */
    private CodeBlock store(Node node) {
        BiasedProduct biased = biasedProducts.get(node.id());
        String name = biased == null ? allocate(node) : allocateWithSum(node, biased);
        String type = numeric.type().toString();
        Op op = node.op();
        StructuredEmitter structured = new StructuredEmitter(this, numeric);
        if (isBatched(node.id()) && structured.handlesTile(node)) {
            CodeBlock product = structured.emitTile(node);
            if (inputSplit.isEmpty() || inputSplit.get().product() != node.id()) {
                return product;
            }
            CodeBlock start =
                    biased == null ? CodeBlock.of("$L", numeric.literal(0)) : ref(biased.bias(), Index.vectorLoop("j"));
            return InputLayerSplit.combine(name, node.shape().size(), start, type, product);
        }
        CodeBlock statement;
        Integer softmax = softmaxOfCrossEntropy.get(node.id());
        Integer crossEntropy = crossEntropyOfSoftmax.get(node.id());
        if (softmax != null) {
            // The loss comes first: the softmax is computed with it.
            allocate(graph.node(softmax));
            precomputed.set(softmax);
            statement = structured.crossEntropyWithSoftmax(node, graph.node(softmax), unrolled);
        } else if (crossEntropy != null) {
            // The softmax comes first: the loss is computed with it.
            allocate(graph.node(crossEntropy));
            precomputed.set(crossEntropy);
            statement = structured.crossEntropyWithSoftmax(graph.node(crossEntropy), node, unrolled);
        } else if (isFusable(op)) {
            statement = timesStep(node)
                    .map(call -> VectorKernels.vectorOrPlain(call, elementwise(node)))
                    .orElseGet(() -> elementwise(node));
        } else if (op instanceof LeafOp.DropoutMask mask) {
            statement = dropoutMask(node, name, type, mask);
        } else if (op instanceof BatchOp.Mean) {
            statement = batchMean(node);
        } else if (Loops.lowers(node)) {
            CodeBlock loops = new LoopEmitter(this, numeric).emit(Loops.of(node, graph));
            statement = PoolKernels.call(this, numeric, node)
                    .map(call -> VectorKernels.vectorOrPlain(call, loops))
                    .orElse(loops);
        } else if (WindowLoops.computes(node)) {
            WindowLoops loops = new WindowLoops(this, numeric);
            statement = loops.emit(node);
            // A copy of the weight in another layout serves every sample of the tile.
            return CodeBlock.builder()
                    .add(loops.prologue())
                    .add(isBatched(node.id()) ? forEachSample(statement) : statement)
                    .build();
        } else if (Loops.recurs(node)) {
            // A tile runs time outside and its samples inside, a sample alone the loop over time.
            return Recurrences.emit(this, numeric, node, isBatched(node.id()));
        } else {
            statement = structured.emit(node, type, unrolled);
        }
        return isBatched(node.id()) ? forEachSample(statement) : statement;
    }

    /**
     * The array of a product that leaves {@code product + bias} in it: named after the sum, which
     * every reader of the sum then reads there, and which is not computed again.
     */
    private String allocateWithSum(Node product, BiasedProduct biased) {
        String name = allocate(graph.node(biased.sum()));
        stored.put(product.id(), name);
        precomputed.set(biased.sum());
        return name;
    }

    /** Chooses where stored node {@code node} lives (local, field, array, rows) and names it. */
    private String allocate(Node node) {
        Shape shape = node.shape();
        String name;
        if (isBatched(node.id())) {
            name = shape.isScalar()
                    ? context.array(node, baseName(node), context.tileRows(), declarations)
                    : context.array2D(node, baseName(node), context.tileRows(), shape.size());
        } else if (!shape.isScalar() && !unrolled) {
            name = context.array(node, baseName(node), shape.size(), declarations);
        } else if (shape.isScalar() && split) {
            name = context.scalar(baseName(node));
        } else {
            name = names.fresh(baseName(node));
        }
        stored.put(node.id(), name);
        if (!shape.isScalar() && unrolled) {
            String[] elements = new String[shape.size()];
            for (int e = 0; e < elements.length; e++) {
                elements[e] = names.fresh(name + e);
            }
            elementNames.put(node.id(), elements);
        }
        return name;
    }

    /** {@code for (int b = 0; b < m; b++) { statement }}: once per sample of the tile. */
    CodeBlock forEachSample(CodeBlock statement) {
        return CodeBlock.builder()
                .beginControlFlow("for (int b = 0; b < m; b++)")
                .add(statement)
                .endControlFlow()
                .build();
    }

    /**
     * The runtime's {@code VectorFunctions.timesStep} for a stored {@code d * step(x)} (relu's
     * derivative times its adjoint), in float and double classes, where {@code d}, {@code x} (the
     * fused step's operand) and the result lie whole in flat runs of the sample: the same products
     * as the plain loops, a vector at a time (C2 leaves the plain loops' {@code step}, which reads
     * the number's bits, scalar).
     */
    private java.util.Optional<CodeBlock> timesStep(Node node) {
        if (unrolled || !(node.op() instanceof BinaryOp.Multiply)) {
            return java.util.Optional.empty();
        }
        for (int side = 0; side < 2; side++) {
            Node step = graph.node(node.arg(side));
            Node d = graph.node(node.arg(1 - side));
            if (!(step.op() instanceof UnaryOp.Step) || !inlined[step.id()]) {
                continue;
            }
            Node x = graph.node(step.arg(0));
            if (!d.shape().equals(node.shape()) || !x.shape().equals(node.shape())) {
                return java.util.Optional.empty();
            }
            java.util.Optional<SampleRows> dRun = flatRun(d.id());
            java.util.Optional<SampleRows> xRun = flatRun(x.id());
            java.util.Optional<SampleRows> yRun = flatRun(node.id());
            if (dRun.isEmpty() || xRun.isEmpty() || yRun.isEmpty()) {
                return java.util.Optional.empty();
            }
            return java.util.Optional.of(CodeBlock.of(
                    "$T.timesStep($L, $L, $L, $L, $L, $L, $L);\n",
                    VectorKernels.FUNCTIONS,
                    dRun.get().array(),
                    dRun.get().offset(),
                    xRun.get().array(),
                    xRun.get().offset(),
                    yRun.get().array(),
                    yRun.get().offset(),
                    node.shape().size()));
        }
        return java.util.Optional.empty();
    }

    private CodeBlock elementwise(Node node) {
        return new LoopEmitter(this, numeric).emit(Loops.elementwise(node, unrolled));
    }

    // Arrays.fill(mean, 0.0); for (b < m) for (i) mean[i] += x[b][i]; for (i) mean[i] /= m;
    /**
     * The mean over the tile's {@code m} samples, which is the whole batch (a class whose training
     * reads batch statistics trains a batch as one tile): summed sample after sample along the
     * rows, in the order of the samples, then divided by {@code m}.
     */
    private CodeBlock batchMean(Node node) {
        Shape shape = node.shape();
        int operand = node.arg(0);
        if (!isBatched(operand)) {
            // The same value for every sample: its mean is itself.
            return forEach(
                    shape, index -> CodeBlock.of("$L = $L;\n", slot(node.id(), index.flat()), ref(operand, index)));
        }
        CodeBlock.Builder code = CodeBlock.builder();
        code.add(forEach(
                shape, index -> CodeBlock.of("$L = $L;\n", slot(node.id(), index.flat()), numeric.literal(0))));
        code.add(forEachSample(forEach(
                shape, index -> CodeBlock.of("$L += $L;\n", slot(node.id(), index.flat()), ref(operand, index)))));
        code.add(forEach(shape, index -> CodeBlock.of("$L /= m;\n", slot(node.id(), index.flat()))));
        return code.build();
    }

    // double mask0 = random.nextDouble() < 0.1 ? 0.0 : 1.1111111111111112;
    private CodeBlock dropoutMask(Node node, String name, String type, LeafOp.DropoutMask mask) {
        String keep = numeric.literal(1 / (1 - mask.rate()));
        String draw =
                "random.nextDouble() < " + Literals.ofDouble(mask.rate()) + " ? " + numeric.literal(0) + " : " + keep;
        Shape shape = node.shape();
        if (shape.isScalar()) {
            return CodeBlock.of(
                    "$L$L = $L;\n", scalarPrefix(node.id(), type), slot(node.id(), CodeBlock.of("0")), draw);
        }
        if (unrolled) {
            CodeBlock.Builder code = CodeBlock.builder();
            for (int e = 0; e < shape.size(); e++) {
                code.addStatement("$L $N = $L", type, local(node.id(), e), draw);
            }
            return code.build();
        }
        return forEach(shape, index -> CodeBlock.of("$L = $L;\n", slot(node.id(), index.flat()), draw));
    }

    /** The local holding element {@code e} of stored node {@code id} in unrolled code. */
    String local(int id, int e) {
        return elementNames.get(id)[e];
    }

    /** A loop (two nested loops for a matrix) around {@code body} of each element. */
    CodeBlock forEach(Shape shape, java.util.function.Function<Index, CodeBlock> body) {
        CodeBlock.Builder code = CodeBlock.builder();
        if (shape.isMatrix()) {
            code.beginControlFlow("for (int r = 0; r < $L; r++)", shape.rows())
                    .beginControlFlow("for (int c = 0; c < $L; c++)", shape.cols())
                    .add(body.apply(Index.matrixLoop("r", "c", shape.cols())))
                    .endControlFlow()
                    .endControlFlow();
        } else {
            code.beginControlFlow("for (int i = 0; i < $L; i++)", shape.size())
                    .add(body.apply(Index.vectorLoop("i")))
                    .endControlFlow();
        }
        return code.build();
    }

    /** The live nodes of this kernel that read node {@code id}. */
    List<Node> readersOf(int id) {
        List<Node> readers = new java.util.ArrayList<>();
        for (int r = live.nextSetBit(0); r >= 0; r = live.nextSetBit(r + 1)) {
            if (graph.node(r).args().contains(id)) {
                readers.add(graph.node(r));
            }
        }
        return readers;
    }

    /** Samples per tile: the rows of per-sample scratch arrays. */
    int tileRows() {
        return context.tileRows();
    }

    /** Whether {@link #scratchRows} is available (network classes). */
    boolean hasScratchRows() {
        return context.hasScratchRows();
    }

    /**
     * A scratch array of {@code rows} rows of {@code cols} elements, each starting at index 0, for
     * the loops of node {@code node} (a convolution's patches); allocated once, with the class.
     */
    String scratchRows(Node node, String suggestedName, int rows, int cols) {
        return context.array2D(node, suggestedName, rows, cols);
    }

    /** The name of a constant table of the class set to {@code initializer}; see {@link Context#intTable}. */
    String intTable(String suggestedName, CodeBlock initializer) {
        return context.intTable(suggestedName, initializer);
    }

    /** A fresh local name for a temporary. */
    String fresh(String suggestion) {
        return names.fresh(suggestion);
    }

    Graph graph() {
        return graph;
    }

    private String baseName(Node node) {
        if (node.origin().isNamed()) {
            String name = node.origin().name().replace('.', '_');
            return isSuffixSafe(name) ? name : name + "_";
        }
        return "t" + node.id();
    }

    /** A base name ending in a digit would make {@code h1} + element 0 read as {@code h10}. */
    private static boolean isSuffixSafe(String name) {
        return !Character.isDigit(name.charAt(name.length() - 1));
    }
}
