package dev.nnc.runtime.vector;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every kernel class of the package fills the Vector API's operation caches when it is
 * initialised, and every lane-wise operation or reduction named in the kernels' sources is one
 * that {@link OperatorCaches} runs: an operation looked up for the first time after the JIT has
 * compiled the lookup traps, and enough such traps make C2 box every vector of a kernel (see
 * {@link OperatorCaches}).
 */
class VectorKernelSourcesTest {
    private static final Path SOURCES = Path.of("src/main/vector/dev/nnc/runtime/vector");
    /**
     * The Vector API's methods that look an implementation up in {@code VectorOperators.ImplCache},
     * and those whose intrinsics share a fallback across element types ({@code rearrange}, {@code
     * anyTrue}).
     */
    private static final Pattern LOOKED_UP = Pattern.compile(
            "\\.(abs|neg|add|sub|mul|div|min|max|pow|sqrt|fma|and|or|not|lanewise|reduceLanes|rearrange|anyTrue)"
                    + "\\((VectorOperators\\.\\w+)?");

    @Test
    void everyKernelClassFillsTheCachesWhenInitialised() throws IOException {
        for (Path kernel : kernelSources()) {
            assertTrue(
                    Files.readString(kernel).contains("    static {\n        OperatorCaches.fill();\n    }"),
                    kernel + " does not call OperatorCaches.fill() from its static initialiser");
        }
    }

    @Test
    void everyOperationTheKernelsLookUpIsFilled() throws IOException {
        Set<String> filled = operations(Files.readString(SOURCES.resolve("OperatorCaches.java")));
        for (Path kernel : kernelSources()) {
            Set<String> used = operations(Files.readString(kernel));
            used.removeAll(filled);
            assertTrue(used.isEmpty(), kernel + " uses " + used + ", which OperatorCaches does not run");
        }
    }

    @Test
    void theScanSeesTheKernelsOperations() throws IOException {
        Set<String> used = operations(Files.readString(SOURCES.resolve("VectorFunctions.java")));
        assertTrue(used.contains("lanewise(VectorOperators.TANH"), used.toString());
        assertTrue(used.contains("abs("), used.toString());
    }

    private static Set<String> operations(String source) {
        Set<String> names = new TreeSet<>();
        // Math.max and the like are scalar: drop their names before the scan.
        Matcher m = LOOKED_UP.matcher(source.replaceAll("Math\\.\\w+\\(", "("));
        while (m.find()) {
            names.add(m.group(1) + "(" + (m.group(2) == null ? "" : m.group(2)));
        }
        return names;
    }

    private static List<Path> kernelSources() throws IOException {
        try (Stream<Path> files = Files.list(SOURCES)) {
            List<Path> kernels = files.filter(f -> !f.endsWith("OperatorCaches.java"))
                    .sorted()
                    .toList();
            assertTrue(kernels.size() >= 4, "kernel sources found: " + kernels);
            return kernels;
        }
    }
}
