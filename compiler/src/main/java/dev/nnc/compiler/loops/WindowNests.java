package dev.nnc.compiler.loops;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.loops.Stmt.Assign;
import dev.nnc.compiler.loops.Stmt.Declare;
import dev.nnc.compiler.loops.Stmt.IfNotNaN;
import dev.nnc.compiler.loops.Stmt.KeepFirstEqual;
import dev.nnc.compiler.loops.Stmt.KeepFirstMaximum;
import dev.nnc.compiler.loops.Stmt.Let;
import dev.nnc.compiler.loops.Stmt.Loop;
import dev.nnc.compiler.loops.Stmt.Position;
import dev.nnc.compiler.loops.Stmt.Store;
import dev.nnc.compiler.loops.Stmt.Within;
import dev.nnc.compiler.loops.Value.Literal;
import dev.nnc.compiler.loops.Value.Load;
import dev.nnc.compiler.loops.Value.Local;
import java.util.ArrayList;
import java.util.List;

/**
 * The loop nests of the pools and channel sums of {@link SpatialOp}, and of the part of a
 * convolution's input gradient that adds patch gradients back under their taps, for one sample,
 * as the plain definitions read: every window visited tap by tap in row-major order, each tap
 * guarded against the padding. Which guards the bounds make needless, and which loops run once, is the
 * {@link Scheduler}'s business, not the lowering's.
 */
final class WindowNests {
    private WindowNests() {}

    static boolean lowers(Node node) {
        return node.op() instanceof SpatialOp.MaxPool
                || node.op() instanceof SpatialOp.MaxPoolGrad
                || node.op() instanceof SpatialOp.MaxPoolPick
                || node.op() instanceof SpatialOp.AvgPool
                || node.op() instanceof SpatialOp.AvgPoolGrad
                || node.op() instanceof SpatialOp.ChannelSum;
    }

    static List<Stmt> lower(Node node, Graph graph) {
        if (node.op() instanceof SpatialOp.MaxPool pool) {
            return maximum(node, WindowGeometry.of(pool.window(), pool.input()));
        }
        if (node.op() instanceof SpatialOp.MaxPoolPick pick) {
            // y[c][o] = v at the first maximum of x's window o
            WindowGeometry g = WindowGeometry.of(pick.window(), pick.input());
            return firstMaxima(
                    g,
                    node.arg(1),
                    windowMaximum(g, node.arg(1)),
                    new Store(node.id(), Place.at(g.output()), load(node.arg(0), new Place.Found("at")), false));
        }
        if (node.op() instanceof SpatialOp.MaxPoolGrad grad) {
            // dx = 0; dx[first maximum of x's window o] += dy[c][o], the maximum read from y[c][o]
            WindowGeometry g = WindowGeometry.of(grad.window(), grad.input());
            return concat(
                    clear(node),
                    firstMaxima(
                            g,
                            node.arg(1),
                            List.of(new Declare("maximum", load(node.arg(2), Place.at(g.output())))),
                            new Store(
                                    node.id(), new Place.Found("at"), load(node.arg(0), Place.at(g.output())), true)));
        }
        if (node.op() instanceof SpatialOp.AvgPool pool) {
            return average(node, WindowGeometry.of(pool.window(), pool.input()));
        }
        if (node.op() instanceof SpatialOp.AvgPoolGrad grad) {
            return spreadAverage(node, WindowGeometry.of(grad.window(), grad.input()));
        }
        if (node.op() instanceof SpatialOp.ChannelSum) {
            return channelSums(node, graph.node(node.arg(0)));
        }
        throw new IllegalArgumentException("no loop nest for " + node.op().mnemonic());
    }

    /**
     * {@code y[c][o]} = the largest of the window's taps inside the input, by {@code Math.max},
     * which propagates a NaN and compiles without a branch: a max pool's comparisons go either way
     * at random, and as branches they were the largest cost of a LeNet-5 prediction. Only the
     * gradient needs the position of the maximum ({@link #firstMaxima}).
     */
    private static List<Stmt> maximum(Node node, WindowGeometry g) {
        return eachOutput(
                g,
                new Declare("best", new Literal(Double.NEGATIVE_INFINITY)),
                maximumInto("best", g, node.arg(0)),
                new Store(node.id(), Place.at(g.output()), new Local("best"), false));
    }

    /** {@code local = Math.max(local, x)} for each tap of the window inside the input, in order. */
    private static Stmt maximumInto(String local, WindowGeometry g, int x) {
        return eachTap(g, new Assign(local, new Value.Maximum(new Local(local), load(x, Place.at(g.input())))));
    }

    /** {@code maximum}: the largest of the window of {@code keys}, as the max pool finds it. */
    private static List<Stmt> windowMaximum(WindowGeometry g, int keys) {
        return List.of(new Declare("maximum", new Literal(Double.NEGATIVE_INFINITY)), maximumInto("maximum", g, keys));
    }

    /**
     * For each output of each channel, {@code at}: the flat position of the first maximum of its
     * window of {@code keys} in row-major order (PyTorch's choice at ties), then {@code use}.
     * Padding is never a maximum. The window's maximum comes first ({@code maximum}, declared by
     * {@code maximum}'s statements: found by {@code Math.max} as the pool's value is, or read where
     * the pool stored it, which is the same value), and where it is not NaN the first element equal
     * to it is found without a branch ({@link KeepFirstEqual}); the comparisons of a search, {@code
     * v > best}, go either way at random, and as branches they took a fifth of a LeNet-5 training
     * step. A window that holds a NaN is searched as the rule reads ({@link KeepFirstMaximum}: a
     * NaN is never greater, so it is kept only where it comes first), which no maximum can stand
     * for.
     */
    private static List<Stmt> firstMaxima(WindowGeometry g, int keys, List<Stmt> maximum, Stmt use) {
        List<Stmt> body = new ArrayList<>(maximum);
        body.addAll(List.of(
                new Position("at"),
                new IfNotNaN(
                        "maximum",
                        List.of(eachTap(
                                g,
                                new Let("i", g.input()),
                                new KeepFirstEqual(
                                        "at", "maximum", load(keys, Place.at(Affine.of("i"))), Affine.of("i")))),
                        List.of(
                                new Declare("best", new Literal(0)),
                                eachTap(
                                        g,
                                        new Let("i", g.input()),
                                        new Declare("v", load(keys, Place.at(Affine.of("i")))),
                                        new KeepFirstMaximum("at", "best", "v", Affine.of("i"))))),
                use));
        return eachOutput(g, body.toArray(Stmt[]::new));
    }

    // y[c][o] = (Σ over the window's taps inside the input) / taps: padding counts as zeros
    private static List<Stmt> average(Node node, WindowGeometry g) {
        Local s = new Local("s");
        return eachOutput(
                g,
                new Declare("s", new Literal(0)),
                eachTap(g, new Assign("s", new Value.Sum(s, load(node.arg(0), Place.at(g.input()))))),
                new Store(node.id(), Place.at(g.output()), new Value.Quotient(s, new Literal(g.taps())), false));
    }

    // dx = 0; dx[c][i] += dy[c][o] / taps for each tap of each output inside the input
    private static List<Stmt> spreadAverage(Node node, WindowGeometry g) {
        return concat(
                clear(node),
                eachOutput(
                        g,
                        new Declare(
                                "share",
                                new Value.Quotient(load(node.arg(0), Place.at(g.output())), new Literal(g.taps()))),
                        eachTap(g, new Store(node.id(), Place.at(g.input()), new Local("share"), true))));
    }

    // y[c] = Σ_i x[c][i], in order
    private static List<Stmt> channelSums(Node node, Node input) {
        int channels = input.shape().dim(0);
        int plane = input.shape().size() / channels;
        Local s = new Local("s");
        Affine element = Affine.of("c").times(plane).plus("i", 1);
        return List.of(new Loop(
                "c",
                channels,
                List.of(
                        new Declare("s", new Literal(0)),
                        new Loop(
                                "i",
                                plane,
                                List.of(new Assign("s", new Value.Sum(s, load(node.arg(0), Place.at(element)))))),
                        new Store(node.id(), Place.at(Affine.of("c")), s, false))));
    }

    /**
     * {@code dx = 0}, then each element of the patch gradients {@code patchGradients} (rows of
     * taps {@code [C kh kw][outputs]}, or of outputs {@code [outputs][C kh kw]} when {@code
     * byPosition}) added to the input element its tap read (col2im), in the order that reads
     * the rows along their length: tap by tap over every output, or output by output over
     * every tap. The order of the additions into one input element differs between the two.
     */
    static List<Stmt> addUnderTaps(Node node, String patchGradients, boolean byPosition) {
        SpatialOp.ConvInputGrad grad = (SpatialOp.ConvInputGrad) node.op();
        WindowGeometry g = WindowGeometry.of(grad.window(), grad.input());
        Affine tap = g.tap();
        Affine output = g.position();
        if (byPosition) {
            // Output by output, each reading its row of patch gradients along its length.
            Stmt add = new Store(node.id(), Place.at(g.input()), new Value.Cell(patchGradients, output, tap), true);
            Loop channels = new Loop("c", g.channels(), List.of(eachTap(g, add)));
            return concat(
                    clear(node),
                    List.of(new Loop("oy", g.outH(), List.of(new Loop("ox", g.outW(), List.of(channels))))));
        }
        // Tap by tap, each reading its row of patch gradients along its length.
        Stmt add = new Store(node.id(), Place.at(g.input()), new Value.Cell(patchGradients, tap, output), true);
        Loop rows = eachOutputReading(g, add);
        Loop taps = new Loop(
                "c", g.channels(), List.of(new Loop("ky", g.kh(), List.of(new Loop("kx", g.kw(), List.of(rows))))));
        return concat(clear(node), List.of(taps));
    }

    /**
     * One sample's convolution weight gradient as a table of dot products, {@code rows[f][k] =
     * Σ_o dy[f·OP + o] patches[k][o]}, over the output gradient's planes and the patches by tap
     * ({@code [C kh kw][OP]}): the form for short patches, whose rows are too short to run a sum
     * along (the scheduler blocks the table, {@link Jam}).
     */
    static List<Stmt> weightGradientDots(Node node, String patches, String rows) {
        SpatialOp.ConvWeightGrad grad = (SpatialOp.ConvWeightGrad) node.op();
        WindowGeometry g = WindowGeometry.of(grad.window(), grad.input());
        Value dy = load(node.arg(0), Place.at(Affine.of("f").times(g.outPlane()).plus("o", 1)));
        Value term = new Value.Product(dy, new Value.Cell(patches, Affine.of("k"), Affine.of("o")));
        Local s = new Local("s");
        Loop sum = new Loop("o", g.outPlane(), List.of(new Assign("s", new Value.Sum(s, term))));
        Loop taps = new Loop(
                "k",
                g.channels() * g.taps(),
                List.of(
                        new Declare("s", new Literal(0)),
                        sum,
                        new Stmt.StoreCell(rows, Affine.of("f"), Affine.of("k"), s)));
        return List.of(new Loop("f", node.shape().dim(0), List.of(taps)));
    }

    /**
     * The patches of node {@code x}: the input under each tap of each output, zero where the tap
     * falls into the padding, by tap ({@code patches[k][o]}) or by output position ({@code
     * patches[o][k]} where {@code byPosition}), with tap {@code k = (c kh + ky) kw + kx}, the
     * layout of a weight's row. {@code tapsOutside} puts the loops over taps around those over
     * outputs: by tap that writes each row along its length; by position it writes down the
     * columns, but in runs along an output row that the scheduler cuts at the padding, where
     * output by output a padded input would cut every short row of taps.
     */
    static List<Stmt> patches(WindowGeometry g, int x, String patches, boolean byPosition, boolean tapsOutside) {
        Affine tap = g.tap();
        Affine output = g.position();
        Value zero = new Literal(0);
        Stmt copy = byPosition
                ? new Stmt.StoreCell(patches, output, tap, load(x, Place.at(g.input())))
                : new Stmt.StoreCell(patches, tap, output, load(x, Place.at(g.input())));
        Stmt clear = byPosition
                ? new Stmt.StoreCell(patches, output, tap, zero)
                : new Stmt.StoreCell(patches, tap, output, zero);
        if (!tapsOutside) {
            Loop channels =
                    new Loop("c", g.channels(), List.of(guardedRows(g, "ky", g.kh(), "kx", g.kw(), copy, clear)));
            return List.of(new Loop("oy", g.outH(), List.of(new Loop("ox", g.outW(), List.of(channels)))));
        }
        Loop rows = guardedRows(g, "oy", g.outH(), "ox", g.outW(), copy, clear);
        return List.of(new Loop(
                "c", g.channels(), List.of(new Loop("ky", g.kh(), List.of(new Loop("kx", g.kw(), List.of(rows)))))));
    }

    /**
     * {@code for row: let iy; if iy is inside: (for column: let ix; copy where ix is inside,
     * clear where not) else (for column: clear)}: the rows and columns of a patch copy, over the
     * outputs of a tap or the taps of an output.
     */
    private static Loop guardedRows(
            WindowGeometry g, String row, int rows, String column, int columns, Stmt copy, Stmt clear) {
        Loop inside = new Loop(
                column,
                columns,
                List.of(
                        new Let("ix", g.inputColumn()),
                        Within.orElse(Affine.of("ix"), g.inW(), List.of(copy), List.of(clear))));
        return new Loop(
                row,
                rows,
                List.of(
                        new Let("iy", g.inputRow()),
                        Within.orElse(
                                Affine.of("iy"),
                                g.inH(),
                                List.of(inside),
                                List.of(new Loop(column, columns, List.of(clear))))));
    }

    /**
     * A convolution straight from its input, without patches: each output is its bias (or zero)
     * plus the weight times the input over the window's taps inside the input, row by row of the
     * window and channel by channel within a tap ({@code ky}, {@code kx}, {@code c}). The
     * scheduler narrows the tap loops to the input, so a window that lies in the padding costs
     * the bounds of one loop, whatever the channels.
     */
    static List<Stmt> directConvolution(Node node) {
        SpatialOp.Conv conv = (SpatialOp.Conv) node.op();
        WindowGeometry g = WindowGeometry.of(conv.window(), conv.input());
        int depth = g.channels() * g.taps();
        Value start = conv.bias() ? load(node.arg(2), Place.at(Affine.of("f"))) : new Literal(0);
        Value term = new Value.Product(
                load(node.arg(1), Place.at(Affine.of("f").times(depth).plus(g.tap()))),
                load(node.arg(0), Place.at(g.input())));
        Stmt taps =
                eachTap(g, new Loop("c", g.channels(), List.of(new Assign("s", new Value.Sum(new Local("s"), term)))));
        Affine output = Affine.of("f").times(g.outPlane()).plus(g.position());
        return eachPosition(
                g,
                node.shape().dim(0),
                new Declare("s", start),
                taps,
                new Store(node.id(), Place.at(output), new Local("s"), false));
    }

    /**
     * A convolution's input gradient without patch gradients: {@code dx = 0}, then for each
     * output of each filter its gradient times the weight added to the input under each tap
     * inside the input, channel by channel within a tap.
     */
    static List<Stmt> directInputGradient(Node node, int filters) {
        SpatialOp.ConvInputGrad grad = (SpatialOp.ConvInputGrad) node.op();
        WindowGeometry g = WindowGeometry.of(grad.window(), grad.input());
        int depth = g.channels() * g.taps();
        Affine output = Affine.of("f").times(g.outPlane()).plus(g.position());
        Value term = new Value.Product(
                new Local("dy"),
                load(node.arg(1), Place.at(Affine.of("f").times(depth).plus(g.tap()))));
        Stmt taps =
                eachTap(g, new Loop("c", g.channels(), List.of(new Store(node.id(), Place.at(g.input()), term, true))));
        return concat(
                clear(node), eachPosition(g, filters, new Declare("dy", load(node.arg(0), Place.at(output))), taps));
    }

    /**
     * One sample's convolution weight gradient without patches, into the scratch rows {@code
     * rows [F][C kh kw]}: for each filter and tap, the output gradient times the input under the
     * tap, over the outputs whose tap lies inside the input, in row-major order.
     */
    static List<Stmt> directWeightGradient(Node node, String rows) {
        SpatialOp.ConvWeightGrad grad = (SpatialOp.ConvWeightGrad) node.op();
        WindowGeometry g = WindowGeometry.of(grad.window(), grad.input());
        Affine output = Affine.of("f").times(g.outPlane()).plus(g.position());
        Value term = new Value.Product(load(node.arg(0), Place.at(output)), load(node.arg(1), Place.at(g.input())));
        Loop outputs = eachOutputReading(g, new Assign("s", new Value.Sum(new Local("s"), term)));
        Loop kx = new Loop(
                "kx",
                g.kw(),
                List.of(
                        new Declare("s", new Literal(0)),
                        outputs,
                        new Stmt.StoreCell(rows, Affine.of("f"), g.tap(), new Local("s"))));
        Loop taps = new Loop("c", g.channels(), List.of(new Loop("ky", g.kh(), List.of(kx))));
        return List.of(new Loop("f", node.shape().dim(0), List.of(taps)));
    }

    /**
     * Loops over the outputs, {@code oy} and {@code ox}, whose current tap reads inside the input,
     * with the input row {@code iy} and column {@code ix} it reads there, around {@code body}.
     */
    private static Loop eachOutputReading(WindowGeometry g, Stmt... body) {
        Loop columns = new Loop(
                "ox",
                g.outW(),
                List.of(new Let("ix", g.inputColumn()), Within.of(Affine.of("ix"), g.inW(), List.of(body))));
        return new Loop(
                "oy",
                g.outH(),
                List.of(new Let("iy", g.inputRow()), Within.of(Affine.of("iy"), g.inH(), List.of(columns))));
    }

    /** Loops over filters and outputs, {@code f}, {@code oy}, {@code ox}, around {@code body}. */
    private static List<Stmt> eachPosition(WindowGeometry g, int filters, Stmt... body) {
        Loop columns = new Loop("ox", g.outW(), List.of(body));
        return List.of(new Loop("f", filters, List.of(new Loop("oy", g.outH(), List.of(columns)))));
    }

    private static List<Stmt> clear(Node node) {
        return List.of(new Loop(
                "i",
                node.shape().size(),
                List.of(new Store(node.id(), Place.at(Affine.of("i")), new Literal(0), false))));
    }

    /** Loops over channels and outputs, {@code c}, {@code oy}, {@code ox}, around {@code body}. */
    private static List<Stmt> eachOutput(WindowGeometry g, Stmt... body) {
        Loop columns = new Loop("ox", g.outW(), List.of(body));
        Loop rows = new Loop("oy", g.outH(), List.of(columns));
        return List.of(new Loop("c", g.channels(), List.of(rows)));
    }

    /**
     * Loops over the taps of the current output's window, {@code ky} and {@code kx}, with the
     * input row {@code iy} and column {@code ix} they read, running {@code body} for the taps
     * inside the input.
     */
    private static Stmt eachTap(WindowGeometry g, Stmt... body) {
        Loop columns = new Loop(
                "kx",
                g.kw(),
                List.of(new Let("ix", g.inputColumn()), Within.of(Affine.of("ix"), g.inW(), List.of(body))));
        return new Loop(
                "ky",
                g.kh(),
                List.of(new Let("iy", g.inputRow()), Within.of(Affine.of("iy"), g.inH(), List.of(columns))));
    }

    private static Load load(int node, Place place) {
        return new Load(node, place);
    }

    private static List<Stmt> concat(List<Stmt> first, List<Stmt> second) {
        List<Stmt> all = new ArrayList<>(first);
        all.addAll(second);
        return all;
    }
}
