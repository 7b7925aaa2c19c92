package dev.nnc.compiler.graph;

import java.util.Locale;
import java.util.StringJoiner;

/**
 * The stable text form of a graph, for expect tests and debugging: one line per node, {@code %7
 * = tanh %6 : [4]}, with the node's name as a trailing comment when it has one, then one line per
 * output, {@code gradient hidden.weight = %20}. The text depends only on the graph.
 */
public final class GraphPrinter {
    private GraphPrinter() {}

    public static String print(Graph graph) {
        StringBuilder text = new StringBuilder();
        for (Node node : graph.nodes()) {
            text.append(line(node)).append('\n');
        }
        for (Output output : graph.outputs()) {
            text.append(output.kind().name().toLowerCase(Locale.ROOT))
                    .append(' ')
                    .append(output.name())
                    .append(" = %")
                    .append(output.node())
                    .append('\n');
        }
        return text.toString();
    }

    /** One node: {@code %id = mnemonic %arg, %arg : shape  // name}. */
    public static String line(Node node) {
        StringJoiner args = new StringJoiner(", ", node.args().isEmpty() ? "" : " ", "");
        for (int arg : node.args()) {
            args.add("%" + arg);
        }
        String line = "%" + node.id() + " = " + node.op().mnemonic() + args + " : " + node.shape();
        return node.origin().isNamed() ? line + "  // " + node.origin().name() : line;
    }
}
