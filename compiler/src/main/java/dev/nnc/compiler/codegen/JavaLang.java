package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;

/**
 * The {@code java.lang} types generated code calls. They are always written through
 * {@code $T}, never spelled in a format string: {@link CodeGenerator} has JavaPoet import them
 * explicitly, and a single-type import wins over a class of the same name in the package (a
 * user's {@code Math}, or a spec's {@code function Math}), while a clash with the generated
 * class's own name or a nested class makes JavaPoet write the qualified name instead.
 */
final class JavaLang {
    static final ClassName MATH = ClassName.get(Math.class);
    static final ClassName DOUBLE = ClassName.get(Double.class);
    static final ClassName FLOAT = ClassName.get(Float.class);

    private JavaLang() {}
}
