package dev.nnc.compiler.codegen;

import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import java.util.List;

/**
 * The per-sample code of a network, emitted from its graphs: scratch fields (forward values
 * the backward pass reuses, when they live in arrays) and the private methods
 * {@code forward(xs, xo, outs, oo)}, and for trainable networks
 * {@code sampleLoss(xs, xo, ys, yo)} and {@code trainSample(xs, xo, ys, yo, weight)}, plus the
 * parts they were split into to stay under HotSpot's 8,000-byte compilation limit; and the
 * transposed copies of weights that tiled kernels read. {@code hasTrainOne}: whether the
 * methods include {@code trainOne(xs, ys)}, the fused one-sample training step.
 * {@code selfClearedGradients}: the gradient fields that every accumulating kernel clears on the
 * first tile; {@code hasFreshFlag}: whether any kernel clears a gradient on the first tile, and so
 * reads the flag that marks it ({@link TileGradientSinks#FRESH}).
 * {@code inputLayerSplit}: the training kernel's input layer, when split batches can split it by
 * inputs. {@code batchStatistics}: whether training reads the statistics of its batch and so runs
 * a batch as one tile ({@code holdBatch}); {@code buffers}: the buffers' fields.
 */
record Kernels(
        List<FieldSpec> fields,
        List<MethodSpec> methods,
        boolean usesRandom,
        List<WeightRows> weightRows,
        boolean tiled,
        boolean hasTrainOne,
        java.util.Set<String> selfClearedGradients,
        boolean hasFreshFlag,
        java.util.Optional<InputLayerSplit> inputLayerSplit,
        int tile,
        boolean batchStatistics,
        List<BufferField> buffers) {
    Kernels {
        fields = List.copyOf(fields);
        methods = List.copyOf(methods);
        weightRows = List.copyOf(weightRows);
        buffers = List.copyOf(buffers);
        selfClearedGradients = java.util.Set.copyOf(selfClearedGradients);
        if (inputLayerSplit.isPresent() && !(tiled && !usesRandom && !batchStatistics)) {
            throw new dev.nnc.compiler.diagnostic.InternalCompilerError(
                    "an input layer split in a class that does not split batches");
        }
    }

    /**
     * Whether a batch can be split into parts that run on several threads: the kernels work on
     * tiles (so a part is worth a hand-off), draw no random numbers (so a part's result does
     * not depend on the parts before it) and read no batch statistics (which a part of a batch
     * would compute over its part only).
     */
    boolean splitsBatches() {
        return tiled && !usesRandom && !batchStatistics;
    }

    /** Whether kernels read row copies of weights, which the class then keeps up to date. */
    /**
     * Whether the parts of a split update also refresh the row copies of their share
     * ({@code refreshTransposesRange}): in classes that split batches and keep row copies only
     * of matrices stored by columns, whose shares are whole columns.
     */
    boolean refreshesRowsInParts() {
        return splitsBatches()
                && !weightRows.isEmpty()
                && weightRows.stream().allMatch(view -> view.parameter().byColumns());
    }

    boolean hasTransposes() {
        return !weightRows.isEmpty();
    }
}
