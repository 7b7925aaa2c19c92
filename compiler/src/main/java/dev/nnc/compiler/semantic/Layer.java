package dev.nnc.compiler.semantic;

import java.util.Arrays;
import java.util.Optional;

/** The layers: calls that declare trainable parameters named after their definition. */
enum Layer {
    DENSE(Signature.of("dense", 2, "x", "units", "activation", "init", "bias")),
    RBF(Signature.of("rbf", 2, "x", "units")),
    DROPOUT(Signature.of("dropout", 2, "x", "rate")),
    CONV1D(convolution("conv1d")),
    CONV2D(convolution("conv2d")),
    RNN(Signature.of("rnn", 2, "x", "units", "activation", "sequences")),
    GRU(Signature.of("gru", 2, "x", "units", "sequences")),
    LSTM(Signature.of("lstm", 2, "x", "units", "sequences")),
    BATCH_NORM(Signature.of("batch_norm", 1, "x", "momentum", "eps")),
    LAYER_NORM(Signature.of("layer_norm", 1, "x", "eps")),
    EMBEDDING(Signature.of("embedding", 3, "ids", "count", "dim"));

    private final Signature signature;

    Layer(Signature signature) {
        this.signature = signature;
    }

    private static Signature convolution(String name) {
        return Signature.of(
                name, 3, "x", "filters", "kernel", "stride", "padding", "dilation", "activation", "init", "bias");
    }

    Signature signature() {
        return signature;
    }

    /** The name of the first argument, the layer's input ({@code x}, or {@code ids} of an embedding). */
    String input() {
        return signature.parameters().get(0);
    }

    String spelling() {
        return signature.callee();
    }

    static Optional<Layer> named(String name) {
        return Arrays.stream(values()).filter(l -> l.spelling().equals(name)).findFirst();
    }
}
