package dev.nnc.compiler.loops;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.loops.Stmt.PatchProduct;
import dev.nnc.compiler.loops.Stmt.PatchProduct.Factor;
import dev.nnc.compiler.loops.Stmt.PatchProduct.Start;
import dev.nnc.compiler.loops.Stmt.PatchProduct.Target;

/**
 * The products of a convolution and its two gradients over the patches (im2col) of one sample,
 * each one {@link PatchProduct}: which factor is multiplied by which scratch rows into what. The
 * weight is read in its PyTorch layout {@code [F, C, kh, kw]}, row-major {@code [F][C kh kw]}, and
 * an output or output gradient {@code [F, outH, outW]} as {@code [F][outH outW]}; the indices are
 * named as the convolution's: {@code f} a filter, {@code k} a tap of a channel, {@code o} an
 * output position.
 */
final class ConvolutionProducts {
    private ConvolutionProducts() {}

    /** {@code y[f][o] = bias[f] + Σ_k w[f][k] patches[k][o]}: the patches by tap. */
    static PatchProduct forwardByTap(Node node, String patches) {
        SpatialOp.Conv conv = (SpatialOp.Conv) node.op();
        WindowGeometry g = WindowGeometry.of(conv.window(), conv.input());
        int filters = node.shape().dim(0);
        return new PatchProduct(
                "f",
                "k",
                "o",
                new Factor.Node(node.arg(1), depth(g), true),
                patches,
                new Target.Node(node.id(), g.outPlane(), true),
                conv.bias() ? new Start.ByRow(node.arg(2)) : new Start.Zero(),
                filters,
                depth(g),
                g.outPlane());
    }

    /**
     * {@code y[f][o] = bias[f] + Σ_k positions[o][k] columns[k][f]}, output position by output
     * position: the patches by position times the weight's columns, copied as rows {@code [C kh
     * kw][F]}.
     */
    static PatchProduct forwardByPosition(Node node, String positions, String weightColumns) {
        SpatialOp.Conv conv = (SpatialOp.Conv) node.op();
        WindowGeometry g = WindowGeometry.of(conv.window(), conv.input());
        int filters = node.shape().dim(0);
        return new PatchProduct(
                "o",
                "k",
                "f",
                new Factor.Scratch(positions),
                weightColumns,
                new Target.Node(node.id(), g.outPlane(), false),
                conv.bias() ? new Start.ByColumn(node.arg(2)) : new Start.Zero(),
                g.outPlane(),
                depth(g),
                filters);
    }

    /**
     * {@code grads[o][k] = Σ_f dy[f][o] rows[f][k]}: input gradient {@code node}'s patch gradients
     * by position, over the weight's rows copied where they start at index 0.
     */
    static PatchProduct inputGradientByPosition(Node node, Graph graph, String rows, String grads) {
        SpatialOp.ConvInputGrad grad = (SpatialOp.ConvInputGrad) node.op();
        WindowGeometry g = WindowGeometry.of(grad.window(), grad.input());
        return new PatchProduct(
                "o",
                "f",
                "k",
                new Factor.Node(node.arg(0), g.outPlane(), false),
                rows,
                new Target.Scratch(grads),
                new Start.Zero(),
                g.outPlane(),
                graph.node(node.arg(0)).shape().dim(0),
                depth(g));
    }

    /**
     * {@code grads[k][o] = Σ_f w[f][k] rows[f][o]}: input gradient {@code node}'s patch gradients
     * by tap over rows of {@code width}, the output gradient's planes, or those planes widened to the rows of the padded input (a stride-1
     * convolution's input gradient on the Vector API path, where each row of {@code grads} is then
     * added under its tap as one run).
     */
    static PatchProduct inputGradientByTap(Node node, Graph graph, String rows, String grads, int width) {
        SpatialOp.ConvInputGrad grad = (SpatialOp.ConvInputGrad) node.op();
        WindowGeometry g = WindowGeometry.of(grad.window(), grad.input());
        return new PatchProduct(
                "k",
                "f",
                "o",
                new Factor.Node(node.arg(1), depth(g), false),
                rows,
                new Target.Scratch(grads),
                new Start.Zero(),
                depth(g),
                graph.node(node.arg(0)).shape().dim(0),
                width);
    }

    /** {@code rows[f][k] = Σ_o dy[f][o] positions[o][k]}: weight gradient {@code node}'s rows. */
    static PatchProduct weightGradient(Node node, String positions, String rows) {
        SpatialOp.ConvWeightGrad grad = (SpatialOp.ConvWeightGrad) node.op();
        WindowGeometry g = WindowGeometry.of(grad.window(), grad.input());
        return new PatchProduct(
                "f",
                "o",
                "k",
                new Factor.Node(node.arg(0), g.outPlane(), true),
                positions,
                new Target.Scratch(rows),
                new Start.Zero(),
                node.shape().dim(0),
                g.outPlane(),
                depth(g));
    }

    /** The length of a patch, {@code C kh kw}. */
    private static int depth(WindowGeometry g) {
        return g.channels() * g.taps();
    }
}
