package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.CompilationResult;
import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedFile;
import dev.nnc.compiler.SourceInput;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * Test support: compiles {@code .nn} sources with nnc, the generated Java with javac (warnings
 * are errors), and loads the classes.
 */
final class GeneratedClasses {
    private final ClassLoader loader;
    private final List<GeneratedFile> files;
    private final Path classes;

    private GeneratedClasses(ClassLoader loader, List<GeneratedFile> files, Path classes) {
        this.loader = loader;
        this.files = files;
        this.classes = classes;
    }

    static GeneratedClasses compile(String name, String spec) {
        return compile(List.of(new SourceInput(name, spec.getBytes(StandardCharsets.UTF_8), Optional.of("gen"))));
    }

    static GeneratedClasses compileExample(String file) {
        try {
            Path path = Path.of("..", "examples", file);
            return compile(List.of(new SourceInput(file, Files.readAllBytes(path), Optional.of("gen"))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static GeneratedClasses compile(List<SourceInput> sources) {
        CompilationResult result = Compiler.generate(sources);
        assertFalse(result.hasErrors(), result.rendered());
        return javac(result.files());
    }

    /** Compiles Java sources that a test assembled itself (from the code generator's parts). */
    static GeneratedClasses javac(List<GeneratedFile> files) {
        try {
            Path root = Files.createTempDirectory("nnc-generated");
            deleteOnExit(root);
            Path src = root.resolve("src");
            Path out = root.resolve("classes");
            Files.createDirectories(out);
            List<String> arguments = new ArrayList<>(List.of(
                    "-classpath",
                    System.getProperty("java.class.path"),
                    "-d",
                    out.toString(),
                    "-Xlint:all",
                    "-Werror"));
            for (GeneratedFile file : files) {
                Path path = src.resolve(file.relativePath());
                Files.createDirectories(path.getParent());
                Files.writeString(path, file.content());
                arguments.add(path.toString());
            }
            JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
            StringWriter errors = new StringWriter();
            int status = javac.run(
                    null,
                    null,
                    new java.io.PrintStream(
                            new java.io.ByteArrayOutputStream() {
                                @Override
                                public void flush() {
                                    errors.write(toString(StandardCharsets.UTF_8));
                                    reset();
                                }
                            },
                            true,
                            StandardCharsets.UTF_8),
                    arguments.toArray(String[]::new));
            assertTrue(
                    status == 0,
                    () -> "javac failed:\n" + errors + "\n" + files.get(0).content());
            ClassLoader loader =
                    new URLClassLoader(new URL[] {out.toUri().toURL()}, GeneratedClasses.class.getClassLoader());
            return new GeneratedClasses(loader, files, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Removes {@code root} and everything under it when the test JVM exits; the class loader
     * reads the compiled classes until then, so they cannot go earlier.
     */
    private static void deleteOnExit(Path root) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try (java.util.stream.Stream<Path> paths = Files.walk(root)) {
                paths.sorted(java.util.Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException e) {
                // Best effort: a leftover folder in the temporary directory is harmless.
            }
        }));
    }

    /** The generated class {@code simpleName}, in its own package (the spec's or {@code gen}). */
    Class<?> load(String simpleName) {
        String packageName = files.stream()
                .filter(f -> f.className().equals(simpleName))
                .map(GeneratedFile::packageName)
                .findFirst()
                .orElse("gen");
        try {
            return loader.loadClass(packageName.isEmpty() ? simpleName : packageName + "." + simpleName);
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }

    @SuppressWarnings("unchecked")
    <T> T newInstance(String simpleName) {
        try {
            return (T) load(simpleName).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    List<GeneratedFile> files() {
        return files;
    }

    Path classes() {
        return classes;
    }

    String source(String className) {
        return files.stream()
                .filter(f -> f.className().equals(className))
                .findFirst()
                .orElseThrow()
                .content();
    }
}
