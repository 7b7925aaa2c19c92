/**
 * The ONNX back end, beside {@code codegen}: a checked network's prediction as an ONNX model, and
 * weights read back from the initializers of ONNX files.
 *
 * <p>Input: a {@link dev.nnc.compiler.semantic.Declaration.Network} and its {@link
 * dev.nnc.compiler.onnx.Weights}. Output: the bytes of an ONNX model (opset 17), from {@link
 * dev.nnc.compiler.onnx.OnnxExport#export}, the one entry point of the export; a construct without
 * ONNX form is a diagnostic at it. The export works on the checked terms, not on the graph IR,
 * because the terms still hold the layers ({@code dense}, {@code conv2d}, {@code gru}) that ONNX
 * has operators for and that a reader recognises in Netron; the graph IR has already lowered them
 * to products and elementwise arithmetic.
 *
 * <p>{@link dev.nnc.compiler.onnx.OnnxWeights} reads initializers by name into a generated network
 * or into {@link dev.nnc.compiler.onnx.Weights}. The wire format is written and read with
 * protobuf-java's {@code CodedOutputStream} and {@code CodedInputStream} under the field numbers of
 * ONNX's {@code onnx.proto} ({@link dev.nnc.compiler.onnx.OnnxProto}), so no {@code protoc} runs
 * at build time. Imports: {@code diagnostic}, {@code semantic} and the runtime's {@code Network}
 * and {@code ParameterFile}.
 */
package dev.nnc.compiler.onnx;
