package dev.nnc.compiler.graph;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import java.util.HashMap;
import java.util.Map;

/**
 * Values of the leaves of a graph for {@link Evaluator}, keyed by leaf name (input, target,
 * parameter, argument or dropout-mask names are distinct within one declaration). A dropout mask
 * without a value keeps every unit: each element is {@code 1 / (1 - rate)}, so tests are
 * deterministic unless they bind a mask.
 */
public record Bindings(Map<String, double[]> values) {
    public Bindings {
        values = Map.copyOf(values);
    }

    public static Bindings of(Map<String, double[]> values) {
        return new Bindings(values);
    }

    /** A copy with {@code name} bound to {@code value} (replacing an earlier binding). */
    public Bindings with(String name, double[] value) {
        Map<String, double[]> copy = new HashMap<>(values);
        copy.put(name, value);
        return new Bindings(copy);
    }

    double[] valueOf(String name, int size) {
        double[] value = values.get(name);
        if (value == null) {
            throw new InternalCompilerError("no value bound for leaf '" + name + "'");
        }
        if (value.length != size) {
            throw new InternalCompilerError("leaf '" + name + "' needs " + size + " values, bound " + value.length);
        }
        return value.clone();
    }

    boolean has(String name) {
        return values.containsKey(name);
    }
}
