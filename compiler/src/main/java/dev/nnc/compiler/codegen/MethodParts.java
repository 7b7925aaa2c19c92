package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.ParameterSpec;
import com.palantir.javapoet.TypeName;
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

    /**
     * What parts return and how a caller combines it. Each part opens with {@code partHead}
     * and closes with {@code partTail}; a caller (the split method, or a method that runs a
     * group of parts) opens with {@code callerHead}, turns each call into a statement with
     * {@code callFormat} (one {@code $L}, the call), and a group closes with {@code groupTail}.
     */
    record Result(
            TypeName type,
            CodeBlock partHead,
            CodeBlock partTail,
            CodeBlock callerHead,
            String callFormat,
            CodeBlock groupTail) {

        /** Parts that return nothing. */
        static Result none() {
            CodeBlock empty = CodeBlock.of("");
            return new Result(TypeName.VOID, empty, empty, empty, "$L;\n", empty);
        }

        /**
         * Parts that return a partial sum, each computed between {@code head} and {@code tail}
         * ({@code return ...;}); the caller adds them up into the local {@code sum}.
         */
        static Result sum(CodeBlock head, CodeBlock tail) {
            return new Result(
                    TypeName.DOUBLE,
                    head,
                    tail,
                    CodeBlock.of("double sum = 0.0;\n"),
                    "sum += $L;\n",
                    CodeBlock.of("return sum;\n"));
        }

        /**
         * Parts that may find a {@code type}: the first part to return one ends the search,
         * and the caller returns it at once; a part that finds nothing returns null.
         */
        static Result first(TypeName type) {
            return new Result(
                    type,
                    CodeBlock.of(""),
                    CodeBlock.of("return null;\n"),
                    CodeBlock.of("$T found;\n", type),
                    "if ((found = $L) != null) {\n$>return found;\n$<}\n",
                    CodeBlock.of("return null;\n"));
        }
    }

    /**
     * {@code segments} as they are when they fit in one method, and otherwise a call of
     * instance parts (added to {@code sink}) named {@code prefix0}, ... that take
     * {@code parameters}: for the long methods of a network class, whose statements for one
     * parameter tensor read nothing of another's.
     */
    static CodeBlock inlineOrSplit(
            String prefix,
            List<ParameterSpec> parameters,
            List<CodeBlock> segments,
            String whole,
            List<MethodSpec> sink) {
        if (length(segments) <= NetworkClasses.SPLIT_THRESHOLD) {
            return CodeBlock.join(segments, "");
        }
        Split split = split(prefix, List.of(Modifier.PRIVATE), parameters, segments, whole, null, Result.none());
        sink.addAll(split.methods());
        return split.calls();
    }

    /** The characters of {@code segments}: what {@link NetworkClasses#SPLIT_THRESHOLD} measures. */
    static int length(List<CodeBlock> segments) {
        int length = 0;
        for (CodeBlock segment : segments) {
            length += segment.toString().length();
        }
        return length;
    }

    /** {@link #split} with every part in the calling class. */
    static Split split(
            String prefix,
            List<Modifier> modifiers,
            List<ParameterSpec> parameters,
            List<CodeBlock> segments,
            String whole) {
        return split(prefix, modifiers, parameters, segments, whole, null, Result.none());
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
        return split(prefix, modifiers, parameters, segments, whole, outer, Result.none());
    }

    /** {@link #split} with parts that return {@code result}. */
    static Split split(
            String prefix,
            List<Modifier> modifiers,
            List<ParameterSpec> parameters,
            List<CodeBlock> segments,
            String whole,
            ClassName outer,
            Result result) {
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
                    .returns(result.type())
                    .addJavadoc("Part $L of {@link $L}.\n", index, link)
                    .addCode(result.partHead());
            parts.get(index).forEach(method::addCode);
            method.addCode(result.partTail());
            if (!nested) {
                methods.add(method.build());
                calls.add(CodeBlock.of(result.callFormat(), CodeBlock.of("$N($L)", name, arguments)));
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
            calls.add(CodeBlock.of(result.callFormat(), CodeBlock.of("$T.$N($L)", holderName, name, arguments)));
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
                        .returns(result.type())
                        .addJavadoc("Runs consecutive parts of {@link $L}.\n", link)
                        .addCode(result.callerHead());
                calls.subList(from, Math.min(calls.size(), from + CALLS_PER_METHOD))
                        .forEach(method::addCode);
                methods.add(method.addCode(result.groupTail()).build());
                grouped.add(CodeBlock.of(result.callFormat(), CodeBlock.of("$N($L)", name, arguments)));
            }
            calls = grouped;
        }
        return new Split(
                methods,
                classes,
                CodeBlock.builder()
                        .add(result.callerHead())
                        .add(CodeBlock.join(calls, ""))
                        .build());
    }

    /** {@code ValuePart0s}: never the outer class's own name, which a nested class may not take. */
    private static ClassName holderName(ClassName outer, String prefix, int index) {
        String name = Character.toUpperCase(prefix.charAt(0)) + prefix.substring(1) + index + "s";
        return outer.nestedClass(name.equals(outer.simpleName()) ? name + "_" : name);
    }
}
