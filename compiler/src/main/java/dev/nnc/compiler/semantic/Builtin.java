package dev.nnc.compiler.semantic;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The built-in functions of the language that are not layers: elementwise functions (which are
 * also the activations), vector functions, losses and regularisers. Each constant knows its
 * spelling, aliases, arity and optional named argument; shape rules live in the semantic
 * checker and the meaning (derivative, emission) in the graph IR.
 */
public enum Builtin {
    IDENTITY(Kind.ELEMENTWISE, "identity", 1),
    SIGMOID(Kind.ELEMENTWISE, "sigmoid", 1, "logistic"),
    TANH(Kind.ELEMENTWISE, "tanh", 1),
    RELU(Kind.ELEMENTWISE, "relu", 1),
    LEAKY_RELU(Kind.ELEMENTWISE, "leaky_relu", 1, "alpha", 0.01),
    ELU(Kind.ELEMENTWISE, "elu", 1, "alpha", 1.0),
    SOFTPLUS(Kind.ELEMENTWISE, "softplus", 1),
    GAUSSIAN(Kind.ELEMENTWISE, "gaussian", 1),
    STEP(Kind.ELEMENTWISE, "step", 1),
    EXP(Kind.ELEMENTWISE, "exp", 1),
    LOG(Kind.ELEMENTWISE, "log", 1),
    SQRT(Kind.ELEMENTWISE, "sqrt", 1),
    ABS(Kind.ELEMENTWISE, "abs", 1),
    SIN(Kind.ELEMENTWISE, "sin", 1),
    COS(Kind.ELEMENTWISE, "cos", 1),
    SQUARE(Kind.ELEMENTWISE, "square", 1),
    MIN(Kind.ELEMENTWISE, "min", 2),
    MAX(Kind.ELEMENTWISE, "max", 2),
    SOFTMAX(Kind.VECTOR, "softmax", 1),
    LOG_SOFTMAX(Kind.VECTOR, "log_softmax", 1),
    SUM(Kind.REDUCTION, "sum", 1),
    MEAN(Kind.REDUCTION, "mean", 1),
    DOT(Kind.REDUCTION, "dot", 2),
    NORM2(Kind.REDUCTION, "norm2", 1),
    MSE(Kind.LOSS, "mse", 2),
    SSE(Kind.LOSS, "sse", 2),
    CROSS_ENTROPY(Kind.LOSS, "cross_entropy", 2),
    BINARY_CROSS_ENTROPY(Kind.LOSS, "binary_cross_entropy", 2),
    L1(Kind.REGULARIZER, "l1", 1),
    L2(Kind.REGULARIZER, "l2", 1);

    /** What a builtin does with shapes. */
    public enum Kind {
        /** Applied to each element; two-argument ones broadcast a scalar. Usable as activations. */
        ELEMENTWISE,
        /** Vector to vector of the same length. */
        VECTOR,
        /** Tensor(s) to scalar. */
        REDUCTION,
        /** (prediction, target) to a scalar per-sample loss. */
        LOSS,
        /** Sum over one or more tensors ({@code weights} expands to all weight matrices). */
        REGULARIZER
    }

    private final Kind kind;
    private final String spelling;
    private final int arity;
    private final Optional<String> alias;
    private final Optional<String> option;
    private final double optionDefault;

    Builtin(Kind kind, String spelling, int arity) {
        this(kind, spelling, arity, null, null, Double.NaN);
    }

    Builtin(Kind kind, String spelling, int arity, String alias) {
        this(kind, spelling, arity, alias, null, Double.NaN);
    }

    Builtin(Kind kind, String spelling, int arity, String option, double optionDefault) {
        this(kind, spelling, arity, null, option, optionDefault);
    }

    Builtin(Kind kind, String spelling, int arity, String alias, String option, double optionDefault) {
        this.kind = kind;
        this.spelling = spelling;
        this.arity = arity;
        this.alias = Optional.ofNullable(alias);
        this.option = Optional.ofNullable(option);
        this.optionDefault = optionDefault;
    }

    public Kind kind() {
        return kind;
    }

    /** The name as written in {@code .nn} source. */
    public String spelling() {
        return spelling;
    }

    /** Number of tensor arguments (regularisers take one, which may be {@code weights}). */
    public int arity() {
        return arity;
    }

    /** The one optional named argument, e.g. {@code alpha} of {@code leaky_relu}. */
    public Optional<String> option() {
        return option;
    }

    /** The default of {@link #option()}, NaN when there is none. */
    public double optionDefault() {
        return optionDefault;
    }

    /** Whether this function may be a layer's {@code activation}: one-argument elementwise. */
    public boolean isActivation() {
        return kind == Kind.ELEMENTWISE && arity == 1;
    }

    /** The builtin spelled {@code name} (or with that alias). */
    public static Optional<Builtin> named(String name) {
        return Arrays.stream(values())
                .filter(b ->
                        b.spelling.equals(name) || b.alias.filter(name::equals).isPresent())
                .findFirst();
    }

    /** Every spelling including aliases, for "did you mean" suggestions. */
    public static List<String> spellings() {
        return Arrays.stream(values())
                .flatMap(b -> b.alias.isPresent()
                        ? java.util.stream.Stream.of(b.spelling, b.alias.get())
                        : java.util.stream.Stream.of(b.spelling))
                .toList();
    }
}
