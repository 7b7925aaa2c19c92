package dev.nnc.compiler.semantic;

import java.util.Optional;
import java.util.Set;

/**
 * Which declaration and package names Java can take. Names of values are never checked here:
 * the code generator mangles those, but a declaration's name is the class name a user types,
 * so it must be usable exactly as written.
 */
final class JavaIdentifiers {
    /** Java 17's reserved keywords and literals ({@code _} included, reserved since Java 9). */
    private static final Set<String> RESERVED = Set.of(
            "abstract",
            "assert",
            "boolean",
            "break",
            "byte",
            "case",
            "catch",
            "char",
            "class",
            "const",
            "continue",
            "default",
            "do",
            "double",
            "else",
            "enum",
            "extends",
            "final",
            "finally",
            "float",
            "for",
            "goto",
            "if",
            "implements",
            "import",
            "instanceof",
            "int",
            "interface",
            "long",
            "native",
            "new",
            "package",
            "private",
            "protected",
            "public",
            "return",
            "short",
            "static",
            "strictfp",
            "super",
            "switch",
            "synchronized",
            "this",
            "throw",
            "throws",
            "transient",
            "try",
            "void",
            "volatile",
            "while",
            "true",
            "false",
            "null",
            "_");

    /** Contextual words that javac rejects as a type name ({@code class record} does not compile). */
    private static final Set<String> RESTRICTED_TYPE_NAMES = Set.of("var", "yield", "record", "sealed", "permits");

    /**
     * First segments of the packages generated code names ({@code java.util.List},
     * {@code dev.nnc.runtime}): a class of the same name in the package would be found first.
     */
    private static final Set<String> GENERATED_PACKAGE_ROOTS = Set.of("java", "dev");

    /** Package roots of the Java platform, where javac refuses to compile a user's class. */
    private static final Set<String> PLATFORM_PACKAGE_ROOTS = Set.of("java", "javax");

    private JavaIdentifiers() {}

    /** Why {@code name} cannot name a Java class, or empty when it can. */
    static Optional<String> classNameProblem(String name) {
        if (RESERVED.contains(name)) {
            return Optional.of("it is a Java keyword");
        }
        if (RESTRICTED_TYPE_NAMES.contains(name)) {
            return Optional.of("Java does not allow it as a class name");
        }
        if (GENERATED_PACKAGE_ROOTS.contains(name)) {
            return Optional.of("a class of that name would hide the package '" + name + "' that generated code names");
        }
        return Optional.empty();
    }

    /** Why {@code name} is not a valid dotted Java package name, or empty when it is. */
    static Optional<String> packageNameProblem(String name) {
        if (name.isEmpty()) {
            return Optional.of("it is empty");
        }
        for (String segment : name.split("\\.", -1)) {
            if (segment.isEmpty()) {
                return Optional.of("it has an empty segment");
            }
            if (!isIdentifier(segment)) {
                return Optional.of("'" + segment + "' is not a Java identifier");
            }
            if (RESERVED.contains(segment)) {
                return Optional.of("'" + segment + "' is a Java keyword");
            }
        }
        return Optional.empty();
    }

    /** The platform root ({@code java} or {@code javax}) that {@code name} is in, if any. */
    static Optional<String> platformPackageRoot(String name) {
        String root = name.split("\\.", -1)[0];
        return PLATFORM_PACKAGE_ROOTS.contains(root) ? Optional.of(root) : Optional.empty();
    }

    private static boolean isIdentifier(String segment) {
        if (!Character.isJavaIdentifierStart(segment.codePointAt(0))) {
            return false;
        }
        return segment.codePoints().allMatch(Character::isJavaIdentifierPart);
    }
}
