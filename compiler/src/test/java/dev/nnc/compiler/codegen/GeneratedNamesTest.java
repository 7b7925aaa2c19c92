package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.TrainableNetwork;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Names that Java or the generated class already uses are valid in a spec: the generator
 * renames what would clash, and the class compiles (with {@code -Werror}) and trains.
 */
class GeneratedNamesTest {

    @Test
    void javaKeywordsAndGeneratedMemberNamesAreMangled() {
        String spec = """
                network Keywords {
                    input class[3];
                    target int[2];
                    param new[2, 3] = glorot_uniform;
                    const predict = 0.5;
                    step = tanh(new @ class) * predict;
                    b = dense(step, 2, activation = sigmoid);
                    m = b + 1;
                    output m;
                    loss mse(m, int);
                    optimizer adam(lr = 0.01);
                }
                network Wide {
                    input xs[80];
                    target ys[2];
                    w = dense(xs, 70, activation = relu);
                    b = dense(w, 2);
                    output b;
                    loss mse(b, ys);
                    optimizer sgd(lr = 0.01);
                }
                function Sum(x, m, w) = x * m + w;
                """;
        GeneratedClasses generated = GeneratedClasses.compile("names.nn", spec);
        TrainableNetwork keywords = generated.newInstance("Keywords");
        assertEquals(List.of("new", "b.weight", "b.bias"), keywords.parameterNames());
        double[] xs = {0.1, 0.2, 0.3};
        double[] ys = {0.5, 0.25};
        double first = keywords.trainStep(xs, ys, 1);
        double later = first;
        for (int i = 0; i < 200; i++) {
            later = keywords.trainStep(xs, ys, 1);
        }
        assertTrue(later < first, "loss " + first + " -> " + later);

        TrainableNetwork wide = generated.newInstance("Wide");
        double[] wideXs = new double[80];
        double[] wideYs = {1, -1};
        assertTrue(Double.isFinite(wide.trainStep(wideXs, wideYs, 1)));
    }
}
