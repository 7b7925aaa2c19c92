package dev.nnc.compiler.codegen;

import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.SequenceOp;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.loops.Bound;
import dev.nnc.compiler.loops.Loops;

/**
 * A recurrence's nest ({@link Loops#recurrence}) in a kernel: what the nest needs from the class
 * (the hidden weight in the layout each direction's product runs along, the scratch rows, which
 * trace blocks the kernel reads), and its Java in a block of its own, since a kernel holds a
 * layer's forward and backward loops side by side.
 *
 * <p>Forward the hidden product runs over the weight by columns ({@code q += h_j W_hh[:, j]}, the
 * parameter's own field or the copy the class keeps current), backward by rows ({@code dh += dq_g
 * W_hh[g, :]}, the copy the class keeps current): the layouts the sums run along.
 */
final class Recurrences {
    private Recurrences() {}

    /**
     * The statements that compute {@code node} for the current sample, or with {@code tile} for
     * every sample of a tile ({@code b < m}), time outside and samples inside.
     */
    static CodeBlock emit(KernelEmitter kernel, Numeric numeric, Node node, boolean tile) {
        boolean forward = node.op() instanceof SequenceOp.Recurrence;
        LeafOp.Param weight = hiddenWeight(kernel, node, forward ? 1 : 2);
        int most = tile ? kernel.tileRows() : 1;
        Loops.Recurrence context = new Loops.Recurrence(
                forward ? kernel.columnsName(weight) : kernel.rowsName(weight),
                tile ? new Bound.Named("m") : new Bound.Fixed(1),
                most,
                (name, rows, columns) -> kernel.scratchRows(node, name, rows, columns),
                block -> reads(kernel, node, block));
        return CodeBlock.builder()
                .add("{\n$>")
                .add(new LoopEmitter(kernel, numeric).emit(Loops.recurrence(node, kernel.graph(), context)))
                .add("$<}\n")
                .build();
    }

    /** Operand {@code arg} of a sequence op, the hidden weight: a layer's parameter. */
    private static LeafOp.Param hiddenWeight(KernelEmitter kernel, Node node, int arg) {
        if (kernel.graph().node(node.arg(arg)).op() instanceof LeafOp.Param param) {
            return param;
        }
        throw new InternalCompilerError("the hidden weight of " + node.op().mnemonic() + " is not a parameter");
    }

    /** Whether a node of the kernel reads block {@code block} of the trace {@code node}. */
    private static boolean reads(KernelEmitter kernel, Node node, int block) {
        for (Node reader : kernel.readersOf(node.id())) {
            if (!(reader.op() instanceof SpatialOp.Slice slice) || slice.from() <= block && block < slice.to()) {
                return true;
            }
        }
        return false;
    }
}
