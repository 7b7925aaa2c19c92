package dev.nnc.compiler.semantic;

/**
 * How a parameter is initialised. {@code a} and {@code b} are the arguments of the kinds that
 * take them ({@code constant(a)}, {@code uniform(a, b)}, {@code normal(a = mean, b = std)}); the
 * fan-based kinds take fan-in and fan-out from the parameter's shape: {@code [out, in]}, or a
 * convolution's {@code [filters, channels, *kernel]}, with PyTorch's fans (see {@link #fanIn}).
 */
public record Initializer(Kind kind, double a, double b) {
    public enum Kind {
        ZEROS("zeros"),
        ONES("ones"),
        CONSTANT("constant"),
        UNIFORM("uniform"),
        NORMAL("normal"),
        GLOROT_UNIFORM("glorot_uniform"),
        GLOROT_NORMAL("glorot_normal"),
        HE_UNIFORM("he_uniform"),
        HE_NORMAL("he_normal"),
        LECUN_NORMAL("lecun_normal");

        private final String spelling;

        Kind(String spelling) {
            this.spelling = spelling;
        }

        public String spelling() {
            return spelling;
        }
    }

    public static Initializer of(Kind kind) {
        return new Initializer(kind, 0, 0);
    }

    /**
     * The inputs each output of a weight of this shape sums: {@code in} of {@code [out, in]},
     * {@code channels*kh*kw} of a convolution's {@code [filters, channels, kh, kw]}; the size of a
     * vector or scalar.
     */
    public static int fanIn(Shape shape) {
        return shape.rank() >= 2 ? shape.cols() : shape.size();
    }

    /**
     * The outputs each input of a weight of this shape reaches: {@code out} of {@code [out, in]},
     * {@code filters*kh*kw} of a convolution's weight; the size of a vector or scalar.
     */
    public static int fanOut(Shape shape) {
        return shape.rank() >= 2 ? shape.size() / shape.dim(1) : shape.size();
    }

    /** The language's default: {@code glorot_uniform} for matrices, {@code zeros} otherwise. */
    public static Initializer defaultFor(Shape shape) {
        return of(shape.isMatrix() ? Kind.GLOROT_UNIFORM : Kind.ZEROS);
    }
}
