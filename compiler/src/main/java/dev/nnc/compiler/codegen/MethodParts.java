package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeSpec;
import java.util.ArrayList;
import java.util.List;
import javax.lang.model.element.Modifier;

/**
 * Cuts a long run of statements into private methods that a caller runs in order, so that no
 * method passes HotSpot's 8,000-byte compilation limit however long the run is.
 *
 * <p>Statements are grouped in order into parts of at most {@link NetworkClasses#SPLIT_THRESHOLD}
 * characters (about 4,000 bytes of bytecode). A call costs up to about 20 bytes, so a method
 * calls at most {@link #CALLS_PER_METHOD} others: with more parts, the calls themselves are
 * grouped into methods that call the parts, and so on, a tree of logarithmic depth. Every part
 * takes the same parameters; values that cross from one part to another must live where all of
 * them can reach (fields, or scratch arrays passed as parameters).
 */
final class MethodParts {
    /** The most calls one method makes: 100 calls of up to 20 bytes stay near 2,000 bytes. */
    static final int CALLS_PER_METHOD = 100;

    private MethodParts() {}

    /**
     * The most parts one class holds. A part's 6,000 characters hold at most about a thousand
     * numeric literals, two constant pool entries each, so 16 parts stay well under the 65,535
     * entries of a class's constant pool, and a class file stays under about 100 KB.
     */
    static final int PARTS_PER_CLASS = 16;

    /**
     * The part methods, the nested classes that hold them when there are more than {@link
     * #PARTS_PER_CLASS}, and the statements that call them in order.
     */
    record Split(List<MethodSpec> methods, List<TypeSpec> classes, CodeBlock calls) {}

    /** {@link #split} with every part in the calling class. */
    static Split split(
            String prefix,
            List<Modifier> modifiers,
            List<ParameterSpec> parameters,
            List<CodeBlock> segments,
            String whole) {
        return split(prefix, modifiers, parameters, segments, whole, null);
    }

    /**
     * Splits {@code segments} into methods named {@code prefix0}, {@code prefix1}, ... (and
     * {@code prefixCalls0}, ... for groups of calls), each declared {@code modifiers} with
     * {@code parameters} and documented as a part of {@code whole}. Static parts of a long run
     * go into nested classes of {@code outer} (when not null), {@link #PARTS_PER_CLASS} to a
     * class, each with its own constant pool.
     */
    static Split split(
            String prefix,
            List<Modifier> modifiers,
            List<ParameterSpec> parameters,
            List<CodeBlock> segments,
            String whole,
            ClassName outer) {
        List<List<CodeBlock>> parts = new ArrayList<>();
        List<CodeBlock> part = new ArrayList<>();
        int length = 0;
        for (CodeBlock segment : segments) {
            int segmentLength = segment.toString().length();
            if (!part.isEmpty() && length + segmentLength > NetworkClasses.SPLIT_THRESHOLD) {
                parts.add(part);
                part = new ArrayList<>();
                length = 0;
            }
            part.add(segment);
            length += segmentLength;
        }
        if (!part.isEmpty()) {
            parts.add(part);
        }
        List<MethodSpec> methods = new ArrayList<>();
        List<TypeSpec> classes = new ArrayList<>();
        List<CodeBlock> calls = new ArrayList<>();
        String arguments =
                String.join(", ", parameters.stream().map(ParameterSpec::name).toList());
        boolean nested = outer != null && parts.size() > PARTS_PER_CLASS;
        CodeBlock link = outer == null ? CodeBlock.of("#$L", whole) : CodeBlock.of("$T#$L", outer, whole);
        TypeSpec.Builder holder = null;
        ClassName holderName = null;
        for (int index = 0; index < parts.size(); index++) {
            String name = prefix + index;
            MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                    .addModifiers(modifiers)
                    .addParameters(parameters)
                    .addJavadoc("Part $L of {@link $L}.\n", index, link);
            parts.get(index).forEach(method::addCode);
            if (!nested) {
                methods.add(method.build());
                calls.add(CodeBlock.of("$N($L);\n", name, arguments));
                continue;
            }
            if (index % PARTS_PER_CLASS == 0) {
                if (holder != null) {
                    classes.add(holder.build());
                }
                holderName = holderName(outer, prefix, index / PARTS_PER_CLASS);
                holder = TypeSpec.classBuilder(holderName)
                        .addModifiers(Modifier.PRIVATE, Modifier.STATIC, Modifier.FINAL)
                        .addJavadoc(
                                "Parts $L to $L of {@link $L}: a class of their own, for its own constant pool.\n",
                                index,
                                Math.min(parts.size(), index + PARTS_PER_CLASS) - 1,
                                link)
                        .addMethod(MethodSpec.constructorBuilder()
                                .addModifiers(Modifier.PRIVATE)
                                .build());
            }
            holder.addMethod(method.build());
            calls.add(CodeBlock.of("$T.$N($L);\n", holderName, name, arguments));
        }
        if (holder != null) {
            classes.add(holder.build());
        }
        int groups = 0;
        while (calls.size() > CALLS_PER_METHOD) {
            List<CodeBlock> grouped = new ArrayList<>();
            for (int from = 0; from < calls.size(); from += CALLS_PER_METHOD) {
                String name = prefix + "Calls" + groups++;
                MethodSpec.Builder method = MethodSpec.methodBuilder(name)
                        .addModifiers(modifiers)
                        .addParameters(parameters)
                        .addJavadoc("Runs consecutive parts of {@link $L}.\n", link);
                calls.subList(from, Math.min(calls.size(), from + CALLS_PER_METHOD))
                        .forEach(method::addCode);
                methods.add(method.build());
                grouped.add(CodeBlock.of("$N($L);\n", name, arguments));
            }
            calls = grouped;
        }
        return new Split(methods, classes, CodeBlock.join(calls, ""));
    }

    /** {@code ValuePart0s}: never the outer class's own name, which a nested class may not take. */
    private static ClassName holderName(ClassName outer, String prefix, int index) {
        String name = Character.toUpperCase(prefix.charAt(0)) + prefix.substring(1) + index + "s";
        return outer.nestedClass(name.equals(outer.simpleName()) ? name + "_" : name);
    }
}
