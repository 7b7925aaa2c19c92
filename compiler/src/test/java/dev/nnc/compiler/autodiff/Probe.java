package dev.nnc.compiler.autodiff;

import dev.nnc.compiler.graph.Bindings;
import dev.nnc.compiler.graph.Evaluator;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.GraphBuilder;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.Output;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.pass.Passes;
import dev.nnc.compiler.semantic.Shape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Evaluates {@code sum(op(a0, a1, ...))} and its optimised gradient at given operand values: the
 * analytic side of the kink and saturation tests.
 */
record Probe(double value, double[][] gradients) {
    static Probe of(Op op, double[]... args) {
        return of((b, leaves) -> b.apply(op, leaves), args);
    }

    /**
     * As {@link #of(Op, double[]...)}, with the node built by {@code application} from the
     * leaves: for ops built through a factory that adds an operand of its own ({@code exp(-|z|)}).
     */
    static Probe of(BiFunction<GraphBuilder, List<Integer>, Integer> application, double[]... args) {
        GraphBuilder b = GraphBuilder.create();
        List<LeafOp.Argument> leaves = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        Map<String, double[]> values = new HashMap<>();
        for (int a = 0; a < args.length; a++) {
            Shape shape = args[a].length == 1 ? Shape.scalar() : Shape.vector(args[a].length);
            LeafOp.Argument leaf = new LeafOp.Argument("a" + a, shape, a);
            leaves.add(leaf);
            ids.add(b.apply(leaf));
            values.put(leaf.name(), args[a]);
        }
        int y = application.apply(b, ids);
        int total = b.shapeOf(y).isScalar() ? y : b.apply(new TensorOp.Sum(), y);
        Graph graph = b.build(List.of(new Output(Output.Kind.VALUE, "f", total)));
        Graph differentiated = Passes.optimize(ReverseMode.differentiate(graph, Output.Kind.VALUE, leaves));
        Evaluator.Values result = Evaluator.evaluate(differentiated, Bindings.of(values));
        double[][] gradients = new double[args.length][];
        for (int a = 0; a < args.length; a++) {
            gradients[a] = result.gradient("a" + a);
        }
        return new Probe(result.scalar(Output.Kind.VALUE), gradients);
    }

    double gradient(int arg) {
        return gradients[arg][0];
    }
}
