package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ArrayTypeName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.TypeName;
import dev.nnc.compiler.semantic.Precision;

/**
 * The arithmetic type of one generated class: {@code double} or {@code float}, its array type,
 * its literals, and how an elementary function call reads in it. In float classes, calls to
 * {@link Math} (which work in double) are cast back, so that every stored value is a float.
 */
record Numeric(Precision precision) {

    boolean isFloat() {
        return precision == Precision.FLOAT;
    }

    /** Bytes per element. */
    int bytes() {
        return isFloat() ? Float.BYTES : Double.BYTES;
    }

    TypeName type() {
        return isFloat() ? TypeName.FLOAT : TypeName.DOUBLE;
    }

    ArrayTypeName arrayType() {
        return ArrayTypeName.of(type());
    }

    /** A literal of this type: {@code 0.5} or {@code 0.5f}. */
    String literal(double value) {
        return isFloat() ? Literals.ofFloat((float) value) : Literals.ofDouble(value);
    }

    /** {@code Math.name(args)}, cast to float in float classes. */
    CodeBlock math(String name, CodeBlock... args) {
        CodeBlock call = CodeBlock.of("$T.$L($L)", JavaLang.MATH, name, CodeBlock.join(java.util.List.of(args), ", "));
        return isFloat() ? CodeBlock.of("(float) $L", call) : call;
    }
}
