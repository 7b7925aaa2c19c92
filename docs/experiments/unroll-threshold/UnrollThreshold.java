import dev.nnc.runtime.TrainableNetwork;

/** The measurement behind the unrolling rule of docs/codegen.md; run it with run.sh. */
public final class UnrollThreshold {
    private UnrollThreshold() {}

    public static void main(String[] args) throws ReflectiveOperationException {
        int[] widths = {4, 8, 16, 32, 64};
        int n = 16;
        double[] xs = new double[n * 8];
        double[] ys = new double[n * 4];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = Math.sin(i);
        }
        for (int i = 0; i < ys.length; i++) {
            ys[i] = Math.cos(i);
        }
        for (int width : widths) {
            TrainableNetwork unrolled = create("unrolled.H" + width);
            TrainableNetwork loops = create("loops.H" + width);
            double[] best = new double[2];
            for (int round = 0; round < 6; round++) {
                best[0] = Math.max(best[0], samplesPerSecond(unrolled, xs, ys, n));
                best[1] = Math.max(best[1], samplesPerSecond(loops, xs, ys, n));
            }
            System.out.printf(
                    "hidden %d: unrolled %.0f, loops %.0f samples/s, unrolled/loops %.2f%n",
                    width, best[0], best[1], best[0] / best[1]);
        }
    }

    private static TrainableNetwork create(String name) throws ReflectiveOperationException {
        return (TrainableNetwork) Class.forName(name).getConstructor().newInstance();
    }

    private static double samplesPerSecond(TrainableNetwork network, double[] xs, double[] ys, int n) {
        for (int i = 0; i < 20_000; i++) {
            network.trainStep(xs, ys, n);
        }
        int steps = 50_000;
        long start = System.nanoTime();
        for (int i = 0; i < steps; i++) {
            network.trainStep(xs, ys, n);
        }
        return steps * (double) n / ((System.nanoTime() - start) / 1e9);
    }
}
