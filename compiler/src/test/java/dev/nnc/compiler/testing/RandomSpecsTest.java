package dev.nnc.compiler.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.CompilationResult;
import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.SourceInput;
import dev.nnc.compiler.testing.RandomSpecs.Kind;
import dev.nnc.compiler.testing.RandomSpecs.Scale;
import dev.nnc.compiler.testing.RandomSpecs.Spec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The generator writes specs that {@code check} accepts: a rejected spec tests nothing past the
 * front end, so every rejection is a bug of the generator.
 */
class RandomSpecsTest {
    @ParameterizedTest
    @EnumSource(Kind.class)
    void checkAcceptsTheGeneratedSpecs(Kind kind) {
        int count = kind == Kind.LONG || kind == Kind.DEEP ? 10 : 150;
        SplittableRandom seeds = new SplittableRandom(Trials.DEFAULT_SEED + kind.ordinal());
        List<String> rejected = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long seed = seeds.nextLong();
            String unique = "z" + Long.toHexString(seed) + kind.ordinal();
            Spec spec = RandomSpecs.of(kind, new SplittableRandom(seed), unique, Scale.CI);
            CompilationResult result = Compiler.check(List.of(new SourceInput(
                    spec.fileName(), spec.text().getBytes(StandardCharsets.UTF_8), Optional.of("fz." + unique))));
            if (result.hasErrors()) {
                rejected.add("seed " + seed + ":\n" + spec.text() + "\n" + result.rendered());
            }
        }
        assertTrue(
                rejected.isEmpty(),
                () -> rejected.size() + " of " + count + " " + kind + " specs rejected:\n\n"
                        + String.join("\n\n", rejected));
    }
}
