package dev.nnc.compiler.codegen;

import static dev.nnc.compiler.codegen.Numerics.assertAllClose;
import static dev.nnc.compiler.codegen.Numerics.assertAllFinite;
import static dev.nnc.compiler.codegen.Numerics.assertClose;
import static dev.nnc.compiler.codegen.Numerics.floatExact;
import static dev.nnc.compiler.codegen.Numerics.gaussian;
import static dev.nnc.compiler.codegen.Numerics.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.runtime.TrainableNetwork;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import org.junit.jupiter.api.Test;

/**
 * RELIABILITY 1.5 precision rule: the {@code precision float} example is tested against its double
 * twin (same spec without {@code precision float;}), rtol 1e-4 and atol 1e-5 on outputs and
 * gradients, never against finite differences.
 */
class GeneratedFloatPrecisionTest {
    private static final double RTOL = 1e-4;
    private static final double ATOL = 1e-5;
    private static final int BATCH = 3;

    private final GeneratedClasses floatClasses = Examples.compiled("mnist_mlp.nn");

    private static float[] toFloats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }

    private static double[] toDoubles(float[] values) {
        double[] doubles = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            doubles[i] = values[i];
        }
        return doubles;
    }

    private static TrainableNetwork[] pair() {
        return Examples.mnistWithDoubleTwin();
    }

    @Test
    void floatNetworkAndItsDoubleTwinAgreeOnOutputsThroughBothApis() throws ReflectiveOperationException {
        TrainableNetwork[] pair = pair();
        TrainableNetwork single = pair[0];
        TrainableNetwork twin = pair[1];
        double[] xs = floatExact(gaussian(31, BATCH * single.inputSize()));
        double[] expected = new double[BATCH * single.outputSize()];
        twin.predict(xs, BATCH, expected);

        double[] bridged = new double[expected.length];
        single.predict(xs, BATCH, bridged);
        assertAllFinite(bridged, "float outputs");
        assertAllClose(expected, bridged, RTOL, ATOL, "float (double bridge) vs double outputs");

        float[] outs = new float[expected.length];
        call(single, "predict", new Class<?>[] {float[].class, int.class, float[].class}, toFloats(xs), BATCH, outs);
        assertArrayEquals(bridged, toDoubles(outs), "float API vs double bridge");
    }

    @Test
    void floatNetworkAndItsDoubleTwinAgreeOnLossAndGradientThroughBothApis() throws ReflectiveOperationException {
        TrainableNetwork[] pair = pair();
        TrainableNetwork single = pair[0];
        TrainableNetwork twin = pair[1];
        double[] xs = floatExact(gaussian(32, BATCH * single.inputSize()));
        double[] ys = floatExact(uniform(33, BATCH * single.targetSize()));
        int count = single.parameterCount();

        double[] expected = new double[count];
        double expectedLoss = twin.gradient(xs, ys, BATCH, expected);
        assertClose(twin.loss(xs, ys, BATCH), expectedLoss, 1e-12, 0, "double twin: gradient's loss");

        assertClose(expectedLoss, single.loss(xs, ys, BATCH), RTOL, ATOL, "float vs double loss");
        double[] bridged = new double[count];
        assertClose(expectedLoss, single.gradient(xs, ys, BATCH, bridged), RTOL, ATOL, "float vs double gradient loss");
        assertAllFinite(bridged, "float gradient");
        assertAllClose(expected, bridged, RTOL, ATOL, "float (double bridge) vs double gradient");

        float[] grad = new float[count];
        double floatLoss = call(
                single,
                "gradient",
                new Class<?>[] {float[].class, float[].class, int.class, float[].class},
                toFloats(xs),
                toFloats(ys),
                BATCH,
                grad);
        assertClose(expectedLoss, floatLoss, RTOL, ATOL, "float API loss");
        assertArrayEquals(bridged, toDoubles(grad), "float API vs double bridge gradient");
    }

    @Test
    void floatNetworkAndItsDoubleTwinTrainAlike() {
        TrainableNetwork[] pair = pair();
        TrainableNetwork single = pair[0];
        TrainableNetwork twin = pair[1];
        double[] xs = floatExact(gaussian(34, BATCH * single.inputSize()));
        double[] ys = floatExact(uniform(35, BATCH * single.targetSize()));
        for (int step = 0; step < 3; step++) {
            assertClose(twin.trainStep(xs, ys, BATCH), single.trainStep(xs, ys, BATCH), RTOL, ATOL, "step " + step);
        }
        double[] expected = new double[single.parameterCount()];
        double[] actual = new double[single.parameterCount()];
        twin.getParameters(expected);
        single.getParameters(actual);
        assertAllClose(expected, actual, RTOL, ATOL, "parameters after 3 steps");
    }

    @Test
    void floatNetworkRoundsParametersToFloat() {
        TrainableNetwork single = floatClasses.newInstance("MnistMlp");
        double[] parameters = gaussian(36, single.parameterCount());
        single.setParameters(parameters);
        double[] back = new double[parameters.length];
        single.getParameters(back);
        assertArrayEquals(floatExact(parameters), back);
        assertEquals(single.parameterCount(), back.length);
    }

    private static double call(Object target, String name, Class<?>[] types, Object... arguments)
            throws ReflectiveOperationException {
        Method method = target.getClass().getMethod(name, types);
        try {
            Object result = method.invoke(target, arguments);
            return result instanceof Double d ? d : 0.0;
        } catch (InvocationTargetException e) {
            throw new AssertionError(name + " threw", e.getCause());
        }
    }
}
