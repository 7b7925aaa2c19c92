package dev.nnc.compiler.codegen;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.SequenceOp;
import dev.nnc.compiler.graph.SpatialOp;

/**
 * How many samples a network's kernels take per tile. A tile runs each layer over all its
 * samples before the next layer, so that a weight matrix serves every sample of the tile per
 * pass over it; that is what dense layers need, and they keep {@link KernelEmitter#TILE} (64).
 * Convolutional networks turn the balance around: their weights are small and their per-sample
 * activations large (LeNet-5's first convolution alone writes 4,704 values per sample, and the
 * training kernel keeps several arrays of that size), so a tile of 64 streams every layer's
 * arrays through memory. Their tile is the largest power of two from 4 to 64 whose per-sample
 * values fit {@link #BUDGET_BYTES}, a share of a core's level-2 cache. Recurrent networks are sized
 * the same way: their trace keeps every step's states and gates.
 */
final class Tiles {
    /** The bytes a tile's per-sample values may take. */
    static final long BUDGET_BYTES = 512 * 1024;

    private static final int SMALLEST = 4;

    private Tiles() {}

    static int rows(Graph graph, Numeric numeric) {
        if (graph.nodes().stream()
                .noneMatch(node -> node.op() instanceof SpatialOp || node.op() instanceof SequenceOp)) {
            return KernelEmitter.TILE;
        }
        long perSample = perSampleElements(graph) * numeric.bytes();
        int rows = KernelEmitter.TILE;
        while (rows > SMALLEST && rows * perSample > BUDGET_BYTES) {
            rows /= 2;
        }
        return rows;
    }

    /** Elements of every value that depends on the sample: an upper bound of what a tile stores. */
    private static long perSampleElements(Graph graph) {
        java.util.BitSet dependent = graph.sampleDependent();
        long elements = 0;
        for (int id = dependent.nextSetBit(0); id >= 0; id = dependent.nextSetBit(id + 1)) {
            elements += graph.node(id).shape().size();
        }
        return elements;
    }
}
