package dev.nnc.benchmarks;

import dev.nnc.benchmarks.generated.N4;
import dev.nnc.benchmarks.generated.N5;
import dev.nnc.benchmarks.generated.N5Double;
import dev.nnc.benchmarks.generated.R1;
import dev.nnc.runtime.Network;
import dev.nnc.runtime.SafeTensors;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The ONNX models of I1-I4 that ONNX Runtime runs in the JMH suite, and the parameters they are
 * built from.
 *
 * <p>The comparison must be of the same network, so the models carry nnc's parameters: {@link
 * #main} writes the initial parameters of N4 and N5 (the specs' seeds, exactly what the I1 and I2
 * benchmarks predict with) and C2's ({@link C2Benchmark#initialParameters}, what I3 predicts
 * with) as raw little-endian doubles, flat in {@code PARAMETER_NAMES} order, which is PyTorch's
 * layout ({@code nn.Linear}: {@code [out, in]} weights, then the bias; {@code nn.Conv2d}: {@code
 * [filters, C, kh, kw]}, then the bias). {@code pytorch_suite.py --export-onnx DIR} loads them
 * into its {@code nn.Sequential} models, appends the softmax that nnc's {@code predict} applies,
 * and exports {@code i1_double.onnx}, {@code i1_float.onnx}, {@code i2_float.onnx}, {@code
 * i2_double.onnx} and {@code i3_float.onnx} (batch dimension dynamic; ONNX Runtime's CPU provider
 * has no double convolution). I4's model comes from nnc's own exporter instead: {@link #main}
 * writes R1's parameters ({@link R1Benchmark#initialParameters}) as {@code r1.safetensors}, and
 * {@code nnc export-onnx benchmarks/src/main/nn/r1.nn --parameters r1.safetensors -o
 * i4_float.onnx} turns the spec into a model with an ONNX {@code GRU} node (PyTorch's export of
 * {@code nn.GRU} would measure the same operator). {@code benchmarks/run.sh} does all of this
 * before JMH.
 */
public final class OnnxModels {
    /** The directory of the exported models, {@code benchmarks/target/onnx} unless the property says otherwise. */
    public static final String DIRECTORY_PROPERTY = "nnc.onnx.dir";

    private OnnxModels() {}

    /**
     * Writes {@code n4.f64}, {@code n5.f64}, {@code c2.f64}, {@code n4.safetensors}, {@code
     * n5.safetensors}, {@code n5_double.safetensors} and {@code r1.safetensors} into the directory
     * given as the only argument. The safetensors files let nnc's own exporter write the I1 and
     * I2 models without Python: {@code nnc export-onnx benchmarks/src/main/nn/n4.nn --parameters
     * n4.safetensors --precision double -o i1_double.onnx}, {@code n5.nn} with {@code
     * n5.safetensors} for {@code i2_float.onnx}, and {@code n5_double.nn} with {@code
     * n5_double.safetensors} and {@code --precision double} for {@code i2_double.onnx}.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: OnnxModels DIRECTORY");
        }
        Path directory = Path.of(args[0]);
        Files.createDirectories(directory);
        write(directory.resolve("n4.f64"), i1Parameters());
        write(directory.resolve("n5.f64"), i2Parameters());
        write(directory.resolve("c2.f64"), i3Parameters());
        N4 n4 = new N4();
        n4.setParameters(i1Parameters());
        writeSafeTensors(directory.resolve("n4.safetensors"), n4);
        N5 n5 = new N5();
        n5.setParameters(i2Parameters());
        writeSafeTensors(directory.resolve("n5.safetensors"), n5);
        N5Double n5Double = new N5Double();
        n5Double.setParameters(i2Parameters());
        writeSafeTensors(directory.resolve("n5_double.safetensors"), n5Double);
        R1 r1 = new R1();
        r1.setParameters(i4Parameters());
        writeSafeTensors(directory.resolve("r1.safetensors"), r1);
    }

    private static void writeSafeTensors(Path file, Network network) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            SafeTensors.write(network, out);
        }
    }

    /** N4's initial parameters, the network I1 predicts with. */
    public static double[] i1Parameters() {
        double[] parameters = new double[N4.PARAMETER_COUNT];
        new N4().getParameters(parameters);
        return parameters;
    }

    /** N5's initial parameters (from the double twin, as {@code I2Benchmark} takes them). */
    public static double[] i2Parameters() {
        double[] parameters = new double[N5Double.PARAMETER_COUNT];
        new N5Double().getParameters(parameters);
        return parameters;
    }

    /** C2's initial parameters, the network I3 predicts with. */
    public static double[] i3Parameters() {
        return C2Benchmark.initialParameters();
    }

    /** R1's initial parameters, the network I4 predicts with. */
    public static double[] i4Parameters() {
        return R1Benchmark.initialParameters();
    }

    /**
     * The exported model {@code name} ({@code i2_float}, ...), or an exception that names the
     * command that exports it: the ONNX Runtime benchmarks need Python and PyTorch, which the
     * Maven build does not.
     */
    public static Path model(String name) {
        Path file = Path.of(System.getProperty(DIRECTORY_PROPERTY, "benchmarks/target/onnx"), name + ".onnx");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file.toAbsolutePath() + " does not exist: benchmarks/run.sh exports it"
                    + " (java -cp benchmarks/target/benchmarks.jar dev.nnc.benchmarks.OnnxModels benchmarks/target/onnx,"
                    + " then /usr/bin/python3 benchmarks/pytorch_suite.py --export-onnx benchmarks/target/onnx"
                    + " and, for i4_float, java -jar compiler/target/nnc.jar export-onnx benchmarks/src/main/nn/r1.nn"
                    + " --parameters benchmarks/target/onnx/r1.safetensors -o benchmarks/target/onnx/i4_float.onnx)");
        }
        return file;
    }

    private static void write(Path file, double[] values) throws IOException {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asDoubleBuffer().put(values);
        Files.write(file, bytes.array());
    }
}
