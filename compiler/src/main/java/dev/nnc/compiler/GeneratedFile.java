package dev.nnc.compiler;

/**
 * One generated Java source file: its package, class name, the {@code .nn} file it came from,
 * and its text (deterministic: the same input always gives the same bytes).
 */
public record GeneratedFile(String packageName, String className, String sourceName, String content) {
    /** Where the file goes under an output root, e.g. {@code com/example/Xor.java}. */
    public String relativePath() {
        return packageName.isEmpty() ? className + ".java" : packageName.replace('.', '/') + "/" + className + ".java";
    }
}
