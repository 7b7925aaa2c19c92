package dev.nnc.compiler.loops;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.SequenceOp;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.loops.Stmt.Activate.Gate;
import dev.nnc.compiler.semantic.Term.Recurrent.Cell;
import java.util.ArrayList;
import java.util.List;

/**
 * The nests of {@link SequenceOp}: a loop over the time steps, never unrolled, whose body is one
 * product of every sample's state with the hidden weight for all gates of the step ({@code q =
 * W_hh h + b_hh}, {@code G H} rows at once, as cuDNN and PyTorch fuse them) and the cell's
 * elementwise update, unit by unit. The input projection of every step is an ordinary product made
 * before the loop, and the weights' gradients are products made after the backward loop, so only
 * the sequential part is here.
 *
 * <p>A tile runs time outside and its samples inside, so that at each step the hidden products of
 * the tile's samples are one {@link Stmt.Product}; a kernel of one sample runs the same nest over a
 * tile of one, whose loops over the samples the {@link Scheduler} removes. The gates'
 * nonlinearities are {@link Stmt.Activate} runs before the loop that combines them (a GRU's {@code
 * r} and {@code z}, then its candidate's tangent), where the code generator may take a vector
 * function over the run.
 */
final class SequenceNests {
    private static final Value ZERO = new Value.Literal(0);
    private static final Value ONE = new Value.Literal(1);

    private final Node node;
    private final Graph graph;
    private final Loops.Recurrence context;
    private final Cell cell;
    private final int steps;
    private final int units;
    private final int rows;

    private SequenceNests(Node node, Graph graph, Loops.Recurrence context, Cell cell, int steps, int units) {
        this.node = node;
        this.graph = graph;
        this.context = context;
        this.cell = cell;
        this.steps = steps;
        this.units = units;
        this.rows = cell.gates() * units;
    }

    static boolean lowers(Node node) {
        return node.op() instanceof SequenceOp;
    }

    static List<Stmt> lower(Node node, Graph graph, Loops.Recurrence context) {
        if (node.op() instanceof SequenceOp.Recurrence op) {
            return new SequenceNests(node, graph, context, op.cell(), op.steps(), op.units()).forward();
        }
        SequenceOp.RecurrenceGrad op = (SequenceOp.RecurrenceGrad) node.op();
        return new SequenceNests(node, graph, context, op.cell(), op.steps(), op.units()).backward();
    }

    // ---- forward ----

    /**
     * From zero states (and cells), each step: {@code s = b_hh + h W_hh^T} for every sample, the
     * gates of {@code s} activated in place, the new state and the trace unit by unit.
     */
    private List<Stmt> forward() {
        String sums = context.scratch().rows("gateSums", context.most(), rows);
        String states = context.scratch().rows("states", context.most(), units);
        String cells = cell == Cell.LSTM ? context.scratch().rows("cells", context.most(), units) : null;
        String candidates =
                cell == Cell.GRU || cell == Cell.LSTM ? context.scratch().rows("candidates", 1, units) : null;
        List<Stmt> zeros = new ArrayList<>(List.of(zeroRow(states)));
        if (cells != null) {
            zeros.add(zeroRow(cells));
        }
        List<Stmt> sample = new ArrayList<>(activations(sums, cells, candidates));
        sample.add(new Stmt.Loop("u", units, forwardCell(sums, states, cells, candidates)));
        List<Stmt> step = List.of(
                new Stmt.Product(
                        new Stmt.Product.Rows.Scratch(states),
                        context.weight(),
                        new Stmt.Product.Rows.Scratch(sums),
                        new Stmt.Product.Addend.Element(node.arg(2)),
                        units,
                        rows,
                        context.samples(),
                        context.most()),
                samples(sample));
        return List.of(samples(zeros), new Stmt.Loop("t", steps, step));
    }

    /**
     * The gates' runs in the order their values are needed: the logistic and tanh gates of {@code s}
     * in place ({@code s[g] = f(p_t[g] + s[g])}), an LSTM's new cell ({@code c = f c + i g}), then
     * the tangent of a GRU's candidate {@code p_n + r q_n} or of an LSTM's new cell in {@code a}.
     */
    private List<Stmt> activations(String sums, String cells, String candidates) {
        int h = units;
        List<Stmt> out = new ArrayList<>();
        switch (cell) {
            case RNN_TANH -> out.add(gates(sums, 0, h, Gate.TANH));
            case RNN_RELU -> {}
            case GRU -> out.add(gates(sums, 0, 2 * h, Gate.SIGMOID));
            case LSTM -> {
                out.add(gates(sums, 0, 2 * h, Gate.SIGMOID));
                out.add(gates(sums, 2 * h, h, Gate.TANH));
                out.add(gates(sums, 3 * h, h, Gate.SIGMOID));
                out.add(new Stmt.Loop(
                        "u",
                        h,
                        List.of(new Stmt.StoreCell(
                                cells,
                                b(),
                                u(),
                                sum(
                                        product(cell(sums, h), cell(cells, 0)),
                                        product(cell(sums, 0), cell(sums, 2 * h)))))));
            }
        }
        switch (cell) {
            case GRU ->
                out.add(new Stmt.Activate(
                        "u",
                        candidates,
                        Affine.constant(0),
                        0,
                        h,
                        Gate.TANH,
                        sum(p(Affine.of("u").plus(2 * h)), product(cell(sums, 0), cell(sums, 2 * h)))));
            case LSTM ->
                out.add(new Stmt.Activate("u", candidates, Affine.constant(0), 0, h, Gate.TANH, cell(cells, 0)));
            case RNN_TANH, RNN_RELU -> {}
        }
        return out;
    }

    /** {@code s[g] = f(p_t[g] + s[g])} over {@code count} gate rows from {@code from}. */
    private Stmt gates(String sums, int from, int count, Gate function) {
        Value pre = sum(p(Affine.of("g")), new Value.Cell(sums, b(), Affine.of("g")));
        return new Stmt.Activate("g", sums, b(), from, count, function, pre);
    }

    /** One unit {@code u} of step {@code t}: the new state from the activated gates, and the trace. */
    private List<Stmt> forwardCell(String sums, String states, String cells, String candidates) {
        int h = units;
        List<Stmt> out = new ArrayList<>();
        switch (cell) {
            case RNN_TANH -> out.add(new Stmt.StoreCell(states, b(), u(), cell(sums, 0)));
            case RNN_RELU ->
                out.add(new Stmt.StoreCell(states, b(), u(), new Value.Maximum(sum(p(u()), cell(sums, 0)), ZERO)));
            case GRU -> {
                out.add(new Stmt.Declare("z", cell(sums, h)));
                out.add(new Stmt.Declare("n", new Value.Cell(candidates, Affine.constant(0), u())));
                Value z = local("z");
                out.add(new Stmt.StoreCell(
                        states,
                        b(),
                        u(),
                        sum(product(new Value.Difference(ONE, z), local("n")), product(z, cell(states, 0)))));
                kept(out, 1, cell(sums, 0));
                kept(out, 2, z);
                kept(out, 3, local("n"));
                kept(out, 4, cell(sums, 2 * h));
            }
            case LSTM -> {
                out.add(new Stmt.Declare("tc", new Value.Cell(candidates, Affine.constant(0), u())));
                out.add(new Stmt.StoreCell(states, b(), u(), product(cell(sums, 3 * h), local("tc"))));
                kept(out, 1, cell(cells, 0));
                for (int gate = 0; gate < 4; gate++) {
                    kept(out, 2 + gate, cell(sums, gate * h));
                }
                kept(out, 6, local("tc"));
            }
        }
        out.add(new Stmt.Store(node.id(), traceAt(0), cell(states, 0), false));
        return out;
    }

    /**
     * {@code trace[block][t][u] = value}, or nothing when no node of the kernel reads that block:
     * a prediction reads only the states, so it keeps no gates.
     */
    private void kept(List<Stmt> out, int block, Value value) {
        if (context.kept().test(block)) {
            out.add(new Stmt.Store(node.id(), traceAt(block), value, false));
        }
    }

    // ---- backward ----

    /**
     * From a zero carry (and cell gradient), each step from the last: unit by unit, the adjoint of
     * the state {@code d = dtrace_t + carry}, the adjoints of both pre-activations ({@code dp} into
     * the result, {@code dq} into the row of gate gradients) and what the earlier state receives
     * directly (a GRU's {@code z d}); then the carry of the step before, {@code carry = direct +
     * dq W_hh}, the hidden product.
     */
    private List<Stmt> backward() {
        String gates = context.scratch().rows("gateGrads", context.most(), rows);
        String carries = context.scratch().rows("carries", context.most(), units);
        String direct = context.scratch().rows("passedOn", context.most(), units);
        String cellGrads = cell == Cell.LSTM ? context.scratch().rows("cellGrads", context.most(), units) : null;
        List<Stmt> zeros = new ArrayList<>(List.of(zeroRow(carries)));
        if (cellGrads != null) {
            zeros.add(zeroRow(cellGrads));
        }
        List<Stmt> unit = new ArrayList<>();
        unit.add(new Stmt.Declare(
                "d", sum(new Value.Load(node.arg(0), Place.at(timeUnit(0, Affine.of("t")))), cell(carries, 0))));
        unit.addAll(backwardCell(gates, direct, cellGrads));
        Stmt dq = new Stmt.Loop(
                "g",
                rows,
                List.of(new Stmt.Store(
                        node.id(),
                        Place.at(Affine.of("t").times(rows).plus("g", 1).plus(steps * rows)),
                        new Value.Cell(gates, b(), Affine.of("g")),
                        false)));
        List<Stmt> step = List.of(
                new Stmt.Let("t", Affine.of("back").times(-1).plus(steps - 1)),
                samples(List.of(new Stmt.Loop("u", units, unit), dq)),
                new Stmt.Product(
                        new Stmt.Product.Rows.Scratch(gates),
                        context.weight(),
                        new Stmt.Product.Rows.Scratch(carries),
                        new Stmt.Product.Addend.Row(direct),
                        rows,
                        units,
                        context.samples(),
                        context.most()));
        return List.of(samples(zeros), new Stmt.Loop("back", steps, step));
    }

    /**
     * One unit {@code u} of step {@code t} backward, from {@code d}: {@code dp} into the result,
     * {@code dq} into the gate gradients, and into {@code direct} what the earlier state receives
     * directly. The adjoints of the trace's other blocks ({@link #withAdjoint}) are added where
     * their values were made; in a network they are zero and add nothing.
     */
    private List<Stmt> backwardCell(String gates, String direct, String cellGrads) {
        int h = units;
        Value d = local("d");
        List<Stmt> out = new ArrayList<>();
        switch (cell) {
            case RNN_TANH, RNN_RELU -> {
                Value state = trace(0, Affine.of("t"));
                Value a = cell == Cell.RNN_TANH
                        ? product(d, new Value.Difference(ONE, product(state, state)))
                        : new Value.Positive(state, d);
                out.add(new Stmt.Declare("a", a));
                out.add(dp(0, local("a")));
                out.add(new Stmt.StoreCell(gates, b(), u(), local("a")));
                out.add(new Stmt.StoreCell(direct, b(), u(), ZERO));
            }
            case GRU -> {
                Value r = local("r");
                Value z = local("z");
                Value n = local("n");
                out.add(new Stmt.Declare("r", trace(1, Affine.of("t"))));
                out.add(new Stmt.Declare("z", trace(2, Affine.of("t"))));
                out.add(new Stmt.Declare("n", trace(3, Affine.of("t"))));
                out.addAll(before(0));
                out.add(new Stmt.Declare(
                        "dn",
                        product(
                                withAdjoint(product(d, new Value.Difference(ONE, z)), 3),
                                new Value.Difference(ONE, product(n, n)))));
                out.add(new Stmt.Declare(
                        "dr",
                        product(
                                product(withAdjoint(product(local("dn"), trace(4, Affine.of("t"))), 1), r),
                                new Value.Difference(ONE, r))));
                out.add(new Stmt.Declare(
                        "dz",
                        product(
                                product(withAdjoint(product(d, new Value.Difference(local("before"), n)), 2), z),
                                new Value.Difference(ONE, z))));
                out.add(dp(0, local("dr")));
                out.add(dp(1, local("dz")));
                out.add(dp(2, local("dn")));
                out.add(new Stmt.StoreCell(gates, b(), u(), local("dr")));
                out.add(new Stmt.StoreCell(gates, b(), u().plus(h), local("dz")));
                out.add(new Stmt.StoreCell(gates, b(), u().plus(2 * h), withAdjoint(product(local("dn"), r), 4)));
                out.add(new Stmt.StoreCell(direct, b(), u(), product(d, z)));
            }
            case LSTM -> {
                String[] names = {"i", "f", "g", "o", "tc"};
                for (int k = 0; k < names.length; k++) {
                    out.add(new Stmt.Declare(names[k], trace(2 + k, Affine.of("t"))));
                }
                Value i = local("i");
                Value f = local("f");
                Value g = local("g");
                Value o = local("o");
                Value tc = local("tc");
                out.addAll(before(1));
                out.add(new Stmt.Declare(
                        "dcu",
                        sum(
                                withAdjoint(cell(cellGrads, 0), 1),
                                product(withAdjoint(product(d, o), 6), new Value.Difference(ONE, product(tc, tc))))));
                Value dcu = local("dcu");
                out.add(new Stmt.Declare("di", logisticGrad(withAdjoint(product(dcu, g), 2), i)));
                out.add(new Stmt.Declare("df", logisticGrad(withAdjoint(product(dcu, local("before")), 3), f)));
                out.add(new Stmt.Declare(
                        "dg", product(withAdjoint(product(dcu, i), 4), new Value.Difference(ONE, product(g, g)))));
                out.add(new Stmt.Declare("dout", logisticGrad(withAdjoint(product(d, tc), 5), o)));
                out.add(new Stmt.StoreCell(cellGrads, b(), u(), product(dcu, f)));
                String[] grads = {"di", "df", "dg", "dout"};
                for (int k = 0; k < grads.length; k++) {
                    out.add(dp(k, local(grads[k])));
                }
                for (int k = 0; k < grads.length; k++) {
                    out.add(new Stmt.StoreCell(gates, b(), u().plus(k * h), local(grads[k])));
                }
                out.add(new Stmt.StoreCell(direct, b(), u(), ZERO));
            }
        }
        return out;
    }

    /** {@code (adjoint) * y * (1 - y)}: through the logistic function whose value is {@code y}. */
    private static Value logisticGrad(Value adjoint, Value y) {
        return product(product(adjoint, y), new Value.Difference(ONE, y));
    }

    /**
     * {@code before}, trace block {@code block} at the step before (a GRU's state, an LSTM's cell),
     * or zero at the first step: the recurrence starts from zeros.
     */
    private List<Stmt> before(int block) {
        Affine earlier = Affine.of("t").plus(-1);
        return List.of(
                new Stmt.Declare("before", ZERO),
                new Stmt.Within(
                        earlier, steps, true, false, List.of(new Stmt.Assign("before", trace(block, earlier)))));
    }

    /** {@code dp[t][gate H + u] = value}: the adjoint of a gate's input projection. */
    private Stmt dp(int gate, Value value) {
        return new Stmt.Store(
                node.id(), Place.at(Affine.of("t").times(rows).plus(u().plus(gate * units))), value, false);
    }

    /**
     * {@code value + dtrace[block][t][u]}, or {@code value} when that block of the adjoint is zero
     * by construction: an unslice of rows that leave the block out, which is what reverse mode makes
     * of a network's reads of the states.
     */
    private Value withAdjoint(Value value, int block) {
        Node adjoint = graph.node(node.arg(0));
        if (adjoint.op() instanceof SpatialOp.Unslice unslice) {
            int blocks = graph.node(adjoint.arg(0)).shape().dim(0);
            if (block < unslice.from() || block >= unslice.from() + blocks) {
                return value;
            }
        }
        return sum(value, new Value.Load(node.arg(0), Place.at(timeUnit(block, Affine.of("t")))));
    }

    /** Block {@code block} of the backward node's trace operand at step {@code step}, unit {@code u}. */
    private Value trace(int block, Affine step) {
        return new Value.Load(node.arg(1), Place.at(timeUnit(block, step)));
    }

    // ---- shared ----

    /** Block {@code block} of the forward node's trace at step {@code t}, unit {@code u}. */
    private Place traceAt(int block) {
        return Place.at(timeUnit(block, Affine.of("t")));
    }

    /** {@code (block T + step) H + u}: a position in a {@code [K, T, H]} trace. */
    private Affine timeUnit(int block, Affine step) {
        return step.times(units).plus(u()).plus(block * steps * units);
    }

    /** {@code p[t][row]}, the input side of gate row {@code row} at step {@code t}. */
    private Value p(Affine row) {
        return new Value.Load(node.arg(0), Place.at(Affine.of("t").times(rows).plus(row)));
    }

    /** The statements of each sample of the tile ({@code b < samples}), or of the one sample. */
    private Stmt samples(List<Stmt> body) {
        int most = context.most();
        return context.samples().equals(new Bound.Fixed(most))
                ? new Stmt.Loop("b", most, body)
                : new Stmt.Loop("b", most, new Bound.Fixed(0), context.samples(), body);
    }

    /** {@code array[b][u] = 0} for every unit. */
    private Stmt zeroRow(String array) {
        return new Stmt.Loop("u", units, List.of(new Stmt.StoreCell(array, b(), u(), ZERO)));
    }

    /** Element {@code offset + u} of the sample's row of {@code array}. */
    private static Value cell(String array, int offset) {
        return new Value.Cell(array, b(), u().plus(offset));
    }

    private static Affine b() {
        return Affine.of("b");
    }

    private static Affine u() {
        return Affine.of("u");
    }

    private static Value local(String name) {
        return new Value.Local(name);
    }

    private static Value sum(Value left, Value right) {
        return new Value.Sum(left, right);
    }

    private static Value product(Value left, Value right) {
        return new Value.Product(left, right);
    }
}
