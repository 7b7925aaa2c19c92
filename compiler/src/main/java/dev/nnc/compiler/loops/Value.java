package dev.nnc.compiler.loops;

/**
 * A number computed inside a loop nest, in the generated class's arithmetic type (float or
 * double): literals, locals, elements of the graph's tensors and the few operations the lowered
 * ops need. Each reads as the Java expression of the same name, evaluated left to right, so a
 * nest fixes the order of every rounding.
 */
public sealed interface Value {

    record Literal(double value) implements Value {}

    /** A numeric local declared by {@link Stmt.Declare}. */
    record Local(String name) implements Value {}

    /**
     * Element {@code index} (row-major, within one sample) of graph node {@code node}: the
     * emitter resolves where it lives (a local array, a tile's row, a view of another node).
     */
    record Load(int node, Place place) implements Value {}

    /**
     * Element {@code place} of elementwise node {@code node} computed from its operands, as its
     * op's Java form reads (the code generator's, which fuses the operands that are not stored):
     * what the store of an elementwise node writes.
     */
    record Elementwise(int node, Place place) implements Value {}

    /**
     * Element {@code [row][column]} of a scratch array of rows that the code generator allocated
     * for the op (a convolution's patch gradients): outside the graph, so named, not numbered.
     */
    record Cell(String array, Affine row, Affine column) implements Value {}

    record Sum(Value left, Value right) implements Value {}

    record Product(Value left, Value right) implements Value {}

    record Quotient(Value left, Value right) implements Value {}

    record Difference(Value left, Value right) implements Value {}

    /** {@code Math.max}: NaN if either is NaN, and free of branches. */
    record Maximum(Value left, Value right) implements Value {}

    /**
     * {@code test > 0 ? then : 0}: the derivative of relu at {@code test}, a comparison that a NaN
     * fails (its gradient is zero, as {@code Math.max(x, 0)}'s derivative takes it).
     */
    record Positive(Value test, Value then) implements Value {}

    /** One of the elementary functions of the stable losses, applied to {@code argument}. */
    record Call(Elementary function, Value argument) implements Value {}

    /** The elementary functions a nest may call, each {@code Math}'s method of that name. */
    enum Elementary {
        EXP("exp"),
        LOG("log"),
        LOG1P("log1p");

        private final String method;

        Elementary(String method) {
            this.method = method;
        }

        /** The name of {@code Math}'s method. */
        public String method() {
            return method;
        }
    }

    /**
     * {@code Σ term} over every point of {@code axes}, the last axis fastest, added in that order
     * starting from the first term: what a reduction means, before the {@link Scheduler} chooses
     * its form (an accumulator and loops, or in an unrolled kernel {@code t0 + t1 + ...}). The
     * axes' variables are bound in {@code term} only. A total is only ever the whole value of a
     * {@link Stmt.Store} or a {@link Stmt.Declare}.
     */
    record Total(java.util.List<Axis> axes, Value term) implements Value {
        public Total {
            axes = java.util.List.copyOf(axes);
        }
    }

    /** A variable of a {@link Total} and how many values it takes, from 0. */
    record Axis(String variable, int extent) {}
}
