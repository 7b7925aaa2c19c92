package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * No generated method exceeds 8,000 bytes of bytecode, HotSpot's {@code HugeMethodLimit}
 * above which a method is never JIT-compiled and silently runs interpreted. Read from the
 * class files javac produced, for every example and for the largest shapes the language
 * allows in practice: a wide layer stack and a long chain of scalar definitions.
 */
class MethodSizeTest {
    private static final int HUGE_METHOD_LIMIT = 8_000;

    static Stream<String> specs() {
        StringBuilder chain = new StringBuilder("network Chain {\n input x;\n target y;\n param w = ones;\n");
        chain.append(" a0 = w * x;\n");
        for (int i = 1; i < 1500; i++) {
            chain.append(" a")
                    .append(i)
                    .append(" = sin(a")
                    .append(i - 1)
                    .append(") * w + ")
                    .append(i % 7)
                    .append(";\n");
        }
        chain.append(" output a1499;\n loss (a1499 - y)^2;\n optimizer sgd(lr = 0.01);\n}\n");
        String wide = """
                network Wide {
                    input x[512];
                    target y[16];
                    h1 = dense(x, 2048, activation = relu);
                    out = dense(h1, 16);
                    output out;
                    loss mse(out, y);
                    optimizer adam(lr = 0.001, clip_norm = 1.0);
                }
                """;
        String wideUnrolled = """
                network Mid {
                    input x[8];
                    target y[8];
                    h1 = dense(x, 8, activation = tanh);
                    h2 = dense(h1, 8, activation = sigmoid);
                    h3 = dense(h2, 8, activation = elu);
                    out = dense(h3, 8);
                    output out;
                    loss mse(out, y) + 1e-3 * l2(weights);
                    optimizer rmsprop(lr = 0.01, clip_value = 1.0);
                }
                """;
        return Stream.of(chain.toString(), wide, wideUnrolled);
    }

    @ParameterizedTest
    @MethodSource("specs")
    void largeNetworksSplitIntoMethodsUnderTheLimit(String spec) throws IOException {
        assertAllMethodsUnderLimit(GeneratedClasses.compile("large.nn", spec));
    }

    @ParameterizedTest
    @MethodSource("examples")
    void exampleMethodsStayUnderTheLimit(String example) throws IOException {
        assertAllMethodsUnderLimit(GeneratedClasses.compileExample(example));
    }

    static List<String> examples() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("..", "examples"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(name -> name.endsWith(".nn"))
                    .sorted()
                    .toList();
        }
    }

    static void assertAllMethodsUnderLimit(GeneratedClasses generated) throws IOException {
        try (Stream<Path> classes = Files.walk(generated.classes())) {
            for (Path file :
                    classes.filter(p -> p.toString().endsWith(".class")).toList()) {
                Map<String, Integer> lengths = ClassFileMethods.codeLengths(Files.readAllBytes(file));
                lengths.forEach((method, length) -> assertTrue(
                        length <= HUGE_METHOD_LIMIT,
                        file.getFileName() + " " + method + " has " + length + " bytes of bytecode"));
            }
        }
    }
}
