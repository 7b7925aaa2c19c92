package dev.nnc.compiler.semantic;

/**
 * How a parameter is initialised. {@code a} and {@code b} are the arguments of the kinds that
 * take them ({@code constant(a)}, {@code uniform(a, b)}, {@code normal(a = mean, b = std)}); the
 * fan-based kinds take fan-in and fan-out from the parameter's shape: {@code [out, in]}, or a
 * convolution's {@code [filters, channels, *kernel]} with PyTorch's fans ({@code channels} and
 * {@code filters} times the kernel's size).
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

    /** The language's default: {@code glorot_uniform} for matrices, {@code zeros} otherwise. */
    public static Initializer defaultFor(Shape shape) {
        return of(shape.isMatrix() ? Kind.GLOROT_UNIFORM : Kind.ZEROS);
    }
}
