package dev.nnc.benchmarks;

import ai.onnxruntime.OrtException;
import dev.nnc.benchmarks.generated.N4;
import dev.nnc.benchmarks.generated.N5;
import dev.nnc.benchmarks.generated.N5Double;
import java.util.Arrays;

/**
 * nnc's batched {@code predict} against ONNX Runtime in one JVM, in alternating bursts of 40
 * batches, each side's time per batch reported as the fastest burst and the median burst (the
 * first quarter of the bursts is warm-up). On a machine that other processes share, a JMH
 * iteration of one side and the next iteration of the other can meet very different loads; two
 * bursts a few milliseconds apart meet nearly the same, and the fastest bursts show what each side
 * does when it has the core to itself.
 *
 * <p>{@code java -cp benchmarks.jar -Dnnc.onnx.dir=DIR dev.nnc.benchmarks.PredictionPairs i2 64
 * 400}: I2 (N5, float), I2 in double ({@code i2d}: N5's double twin against {@code
 * i2_double.onnx}) or I1 (N4, double), the batch, the number of bursts per side; add {@code
 * --add-modules jdk.incubator.vector} for nnc's Vector API kernels.
 */
public final class PredictionPairs {
    private static final int BURST = 40;

    private PredictionPairs() {}

    public static void main(String[] args) throws OrtException {
        if (args.length != 3 || !(args[0].equals("i1") || args[0].equals("i2") || args[0].equals("i2d"))) {
            throw new IllegalArgumentException("usage: PredictionPairs i1|i2|i2d BATCH BURSTS");
        }
        String bench = args[0];
        int batch = Integer.parseInt(args[1]);
        int bursts = Integer.parseInt(args[2]);
        double[][] inputs = PredictionBatches.of(bench.equals("i1") ? Problem.N4 : Problem.N5, batch);
        Runnable nnc = switch (bench) {
            case "i1" -> i1(inputs, batch);
            case "i2" -> i2(inputs, batch);
            default -> i2Double(inputs, batch);
        };
        try (OrtPredictor ort = switch (bench) {
            case "i1" -> new OrtPredictor(OnnxModels.model("i1_double"), inputs, batch, 64, 10, true);
            case "i2" -> new OrtPredictor(OnnxModels.model("i2_float"), inputs, batch, 784, 10, false);
            default -> new OrtPredictor(OnnxModels.model("i2_double"), inputs, batch, 784, 10, true);
        }) {
            double[] nncMicros = new double[bursts];
            double[] ortMicros = new double[bursts];
            int cursor = 0;
            for (int r = 0; r < bursts; r++) {
                long start = System.nanoTime();
                for (int i = 0; i < BURST; i++) {
                    nnc.run();
                }
                nncMicros[r] = (System.nanoTime() - start) / 1e3 / BURST;
                start = System.nanoTime();
                for (int i = 0; i < BURST; i++) {
                    ort.run(cursor++ & (PredictionBatches.GROUPS - 1));
                }
                ortMicros[r] = (System.nanoTime() - start) / 1e3 / BURST;
            }
            Summary n = Summary.of(nncMicros);
            Summary o = Summary.of(ortMicros);
            System.out.printf(
                    "%s batch %d: nnc fastest %.1f median %.1f us; ORT fastest %.1f median %.1f us;"
                            + " nnc / ORT speed: fastest %.2fx, median %.2fx%n",
                    args[0],
                    batch,
                    n.fastest(),
                    n.median(),
                    o.fastest(),
                    o.median(),
                    o.fastest() / n.fastest(),
                    o.median() / n.median());
        }
    }

    private static Runnable i2(double[][] inputs, int batch) {
        N5 network = new N5();
        network.setParameters(OnnxModels.i2Parameters());
        float[][] floats = new float[inputs.length][];
        for (int g = 0; g < inputs.length; g++) {
            floats[g] = SuiteData.toFloats(inputs[g]);
        }
        float[] outs = new float[batch * 10];
        int[] cursor = {0};
        return () -> network.predict(floats[cursor[0]++ & (PredictionBatches.GROUPS - 1)], batch, outs);
    }

    private static Runnable i2Double(double[][] inputs, int batch) {
        N5Double network = new N5Double();
        network.setParameters(OnnxModels.i2Parameters());
        double[] outs = new double[batch * 10];
        int[] cursor = {0};
        return () -> network.predict(inputs[cursor[0]++ & (PredictionBatches.GROUPS - 1)], batch, outs);
    }

    private static Runnable i1(double[][] inputs, int batch) {
        N4 network = new N4();
        network.setParameters(OnnxModels.i1Parameters());
        double[] outs = new double[batch * 10];
        int[] cursor = {0};
        return () -> network.predict(inputs[cursor[0]++ & (PredictionBatches.GROUPS - 1)], batch, outs);
    }

    /** The fastest and the median of the bursts after the first quarter (JIT warm-up). */
    private record Summary(double fastest, double median) {
        static Summary of(double[] micros) {
            double[] measured = Arrays.copyOfRange(micros, micros.length / 4, micros.length);
            Arrays.sort(measured);
            return new Summary(measured[0], measured[measured.length / 2]);
        }
    }
}
