import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class XorTest {
    private static final double[] XS = {0, 0, 0, 1, 1, 0, 1, 1};
    private static final double[] YS = {0, 1, 1, 0};

    @Test
    void trainingLowersTheLossAndLearnsTheGate() {
        Xor xor = new Xor();
        double before = xor.loss(XS, YS, 4);
        for (int step = 0; step < 3000; step++) {
            xor.trainStep(XS, YS, 4);
        }
        double after = xor.loss(XS, YS, 4);

        assertTrue(after < before / 4, "loss " + before + " -> " + after);
        double[] out = new double[1];
        for (int i = 0; i < 4; i++) {
            xor.predict(new double[] {XS[2 * i], XS[2 * i + 1]}, out);
            assertEquals(YS[i], out[0], 0.2, "sample " + i);
        }
    }
}
