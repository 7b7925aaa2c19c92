package dev.nnc.compiler.semantic;

import java.util.Arrays;
import java.util.Optional;

/**
 * The functions that rearrange or pool tensors without parameters of their own: {@code reshape},
 * {@code flatten}, {@code concat}, the window pools and the global pools. Unlike layers they may
 * appear anywhere an expression may, since they own nothing to name.
 */
enum ShapeFunction {
    RESHAPE(Signature.of("reshape", 2, "x", "shape")),
    FLATTEN(Signature.of("flatten", 1, "x")),
    /** Takes any number (at least two) of positional arguments; the signature names the first two. */
    CONCAT(Signature.of("concat", 2, "a", "b")),
    MAX_POOL1D(pool("max_pool1d")),
    MAX_POOL2D(pool("max_pool2d")),
    AVG_POOL1D(pool("avg_pool1d")),
    AVG_POOL2D(pool("avg_pool2d")),
    GLOBAL_AVG_POOL(Signature.of("global_avg_pool", 1, "x")),
    GLOBAL_MAX_POOL(Signature.of("global_max_pool", 1, "x"));

    private final Signature signature;

    ShapeFunction(Signature signature) {
        this.signature = signature;
    }

    private static Signature pool(String name) {
        return Signature.of(name, 2, "x", "size", "stride", "padding");
    }

    Signature signature() {
        return signature;
    }

    String spelling() {
        return signature.callee();
    }

    /** The spatial dimensions a window pool works over: 1 or 2; 0 for the other functions. */
    int spatialRank() {
        return switch (this) {
            case MAX_POOL1D, AVG_POOL1D -> 1;
            case MAX_POOL2D, AVG_POOL2D -> 2;
            case RESHAPE, FLATTEN, CONCAT, GLOBAL_AVG_POOL, GLOBAL_MAX_POOL -> 0;
        };
    }

    static Optional<ShapeFunction> named(String name) {
        return Arrays.stream(values()).filter(f -> f.spelling().equals(name)).findFirst();
    }
}
