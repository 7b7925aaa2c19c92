package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.FieldSpec;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterizedTypeName;
import com.palantir.javapoet.TypeName;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import javax.lang.model.element.Modifier;

/**
 * The buffers of a network class ({@code batch_norm}'s running statistics): their constants,
 * fields and starting values, the flat access {@code getBuffers}/{@code setBuffers}, and {@code
 * commitBuffers}, which makes a training batch's next values current. Buffers are saved after
 * the parameters in the same file, under their own names, so a parameter file of the network
 * holds everything prediction needs.
 */
final class BufferEmitter {
    private static final ClassName LIST = ClassName.get(List.class);
    private static final TypeName DOUBLES = TypeName.get(double[].class);

    private final List<BufferField> buffers;
    private final Numeric numeric;

    BufferEmitter(List<BufferField> buffers, Numeric numeric) {
        this.buffers = List.copyOf(buffers);
        this.numeric = numeric;
    }

    boolean isEmpty() {
        return buffers.isEmpty();
    }

    int count() {
        return buffers.stream().mapToInt(BufferField::size).sum();
    }

    /**
     * {@code BUFFER_NAMES} (which {@code bufferNames()} returns) and {@code BUFFER_SHAPES}, empty in
     * a network without buffers, and {@code BUFFER_COUNT} in one with.
     */
    List<FieldSpec> constants() {
        List<FieldSpec> fields = new ArrayList<>();
        if (!buffers.isEmpty()) {
            fields.add(FieldSpec.builder(TypeName.INT, "BUFFER_COUNT", Modifier.PUBLIC, Modifier.STATIC, Modifier.FINAL)
                    .addJavadoc("Number of buffer scalars (running statistics), which are not trained.\n")
                    .initializer("$L", count())
                    .build());
        }
        fields.add(FieldSpec.builder(
                        ParameterizedTypeName.get(LIST, ClassName.get(String.class)),
                        "BUFFER_NAMES",
                        Modifier.PUBLIC,
                        Modifier.STATIC,
                        Modifier.FINAL)
                .addJavadoc("Buffers (state that is not trained) that {@code save} writes after the parameters.\n")
                .initializer(
                        "$T.of($L)",
                        LIST,
                        buffers.stream()
                                .map(b -> CodeBlock.of("$S", b.buffer().name()))
                                .collect(CodeBlock.joining(", ")))
                .build());
        fields.add(FieldSpec.builder(
                        ParameterizedTypeName.get(LIST, TypeName.get(int[].class)),
                        "BUFFER_SHAPES",
                        Modifier.PRIVATE,
                        Modifier.STATIC,
                        Modifier.FINAL)
                .initializer(
                        "$T.of($L)",
                        LIST,
                        buffers.stream()
                                .map(b -> CodeBlock.of("new int[] {$L}", dims(b)))
                                .collect(CodeBlock.joining(", ")))
                .build());
        return fields;
    }

    private static String dims(BufferField b) {
        return Arrays.stream(b.buffer().shape().dims())
                .mapToObj(Integer::toString)
                .collect(Collectors.joining(", "));
    }

    /** The buffers' fields and, in trainable classes, the fields of their next values. */
    List<FieldSpec> fields(boolean trainable) {
        List<FieldSpec> fields = new ArrayList<>();
        for (BufferField b : buffers) {
            fields.add(FieldSpec.builder(numeric.arrayType(), b.field(), Modifier.PRIVATE, Modifier.FINAL)
                    .addJavadoc(
                            "$L $L, a buffer: updated by training, not trained.\n",
                            b.buffer().name(),
                            b.buffer().shape())
                    .initializer("new $T[$L]", numeric.type(), b.size())
                    .build());
        }
        if (trainable) {
            for (BufferField b : buffers) {
                fields.add(FieldSpec.builder(numeric.arrayType(), b.next(), Modifier.PRIVATE, Modifier.FINAL)
                        .addJavadoc(
                                "$L after the last training batch, until it is committed.\n",
                                b.buffer().name())
                        .initializer("new $T[$L]", numeric.type(), b.size())
                        .build());
            }
        }
        return fields;
    }

    /** The starting values (PyTorch's: running means 0, running variances 1). */
    CodeBlock initialize() {
        CodeBlock.Builder code = CodeBlock.builder();
        for (BufferField b : buffers) {
            if (b.buffer().initial() != 0) {
                code.addStatement(
                        "$T.fill($N, $L)",
                        Arrays.class,
                        b.field(),
                        numeric.literal(b.buffer().initial()));
            }
        }
        return code.build();
    }

    /**
     * {@code array[from + i] = buffer[i]} for every buffer, one after another; {@code from} is
     * {@code ""} or a prefix such as {@code "PARAMETER_COUNT + "}.
     */
    CodeBlock copyOut(String array, String from) {
        CodeBlock.Builder code = CodeBlock.builder();
        int start = 0;
        for (BufferField b : buffers) {
            code.beginControlFlow("for (int i = 0; i < $L; i++)", b.size())
                    .addStatement("$N[$L$L + i] = $N[i]", array, from, start, b.field())
                    .endControlFlow();
            start += b.size();
        }
        return code.build();
    }

    /** The inverse of {@link #copyOut}; {@code narrows}: rounds a {@code double[]} into a float class. */
    CodeBlock copyIn(String array, String from, boolean narrows) {
        CodeBlock.Builder code = CodeBlock.builder();
        int start = 0;
        for (BufferField b : buffers) {
            code.beginControlFlow("for (int i = 0; i < $L; i++)", b.size())
                    .addStatement("$N[i] = $L$N[$L$L + i]", b.field(), narrows ? "(float) " : "", array, from, start)
                    .endControlFlow();
            start += b.size();
        }
        return code.build();
    }

    /** The copying constructor's copies from {@code other}. */
    CodeBlock copyFrom(String other) {
        CodeBlock.Builder code = CodeBlock.builder();
        for (BufferField b : buffers) {
            code.addStatement(
                    "$T.arraycopy($N.$N, 0, this.$N, 0, $L)", System.class, other, b.field(), b.field(), b.size());
        }
        return code.build();
    }

    /**
     * {@code getBuffers}, {@code setBuffers} (flat, {@code BUFFER_NAMES} order; float classes also
     * in double, like the parameters) and {@code commitBuffers}.
     */
    List<MethodSpec> methods(boolean trainable) {
        List<MethodSpec> methods = new ArrayList<>();
        methods.add(getBuffers(numeric.arrayType()));
        methods.add(setBuffers(numeric.arrayType()));
        if (numeric.isFloat()) {
            methods.add(getBuffers(DOUBLES));
            methods.add(setBuffers(DOUBLES));
        }
        if (trainable) {
            MethodSpec.Builder commit = MethodSpec.methodBuilder("commitBuffers")
                    .addModifiers(Modifier.PRIVATE)
                    .addJavadoc("Makes the buffers' values after the last training batch current.\n");
            for (BufferField b : buffers) {
                commit.addStatement("$T.arraycopy($N, 0, $N, 0, $L)", System.class, b.next(), b.field(), b.size());
            }
            methods.add(commit.build());
        }
        return methods;
    }

    private MethodSpec getBuffers(TypeName array) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("getBuffers");
        if (array.equals(DOUBLES)) {
            method.addAnnotation(Override.class);
        }
        return method.addModifiers(Modifier.PUBLIC)
                .addParameter(array, "dst")
                .addJavadoc("Copies the buffers into {@code dst}, flat in {@code BUFFER_NAMES} order.\n")
                .addStatement("requireLength($S, dst.length, BUFFER_COUNT)", "dst")
                .addCode(copyOut("dst", ""))
                .build();
    }

    private MethodSpec setBuffers(TypeName array) {
        MethodSpec.Builder method = MethodSpec.methodBuilder("setBuffers");
        if (array.equals(DOUBLES)) {
            method.addAnnotation(Override.class);
        }
        return method.addModifiers(Modifier.PUBLIC)
                .addParameter(array, "src")
                .addJavadoc("Replaces the buffers from {@code src}, flat in {@code BUFFER_NAMES} order.\n")
                .addStatement("requireLength($S, src.length, BUFFER_COUNT)", "src")
                .addCode(copyIn("src", "", numeric.isFloat() && array.equals(DOUBLES)))
                .build();
    }
}
