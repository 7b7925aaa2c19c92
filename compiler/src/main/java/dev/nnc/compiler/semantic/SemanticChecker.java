package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.frontend.ast.CompilationUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The semantic stage's one entry point: an AST to a {@link CheckedUnit} in which every name is
 * resolved, every constant folded and every shape known, or diagnostics.
 *
 * <p>Checking goes on after an error wherever the rest can still be judged (every declaration,
 * every statement), so that a file's mistakes are reported together; a name whose declaration
 * was wrong is remembered as such, so that its uses do not repeat the error.
 */
public final class SemanticChecker {
    private SemanticChecker() {}

    /**
     * Checks one file. The Java package is the file's {@code package} line, else
     * {@code defaultPackage}, else the unnamed package. Empty when an error was reported.
     */
    public static Optional<CheckedUnit> check(
            CompilationUnit unit, Optional<String> defaultPackage, Diagnostics diagnostics) {
        int errors = diagnostics.errorCount();
        String packageName = packageName(unit, defaultPackage, diagnostics);
        List<Owner> owners = new ArrayList<>();
        for (var declaration : unit.declarations()) {
            owners.add(new Owner(packageName, declaration.name(), header(declaration)));
        }
        reportCollisions(owners, diagnostics);
        List<Declaration> declarations = new ArrayList<>();
        for (var declaration : unit.declarations()) {
            String kind =
                    declaration instanceof dev.nnc.compiler.frontend.ast.Declaration.Network ? "network" : "function";
            JavaIdentifiers.classNameProblem(declaration.name())
                    .ifPresent(problem -> diagnostics.reportWithHelp(
                            DiagnosticCode.NAME_RESERVED,
                            declaration.nameSpan(),
                            "the name becomes the generated Java class; choose another",
                            declaration.name(),
                            kind,
                            problem));
            check(unit, declaration, diagnostics).ifPresent(declarations::add);
        }
        if (diagnostics.errorCount() != errors) {
            return Optional.empty();
        }
        return Optional.of(new CheckedUnit(unit.source(), packageName, declarations));
    }

    /**
     * Reports declarations of different files that produce the same Java class, also when the
     * names differ only in case: on macOS and Windows the two class files would overwrite each
     * other. (Collisions inside one file are reported by {@link #check}.)
     */
    public static void checkClassCollisions(List<CheckedUnit> units, Diagnostics diagnostics) {
        List<Owner> owners = new ArrayList<>();
        List<CheckedUnit> ownerUnits = new ArrayList<>();
        for (CheckedUnit unit : units) {
            for (Declaration declaration : unit.declarations()) {
                owners.add(new Owner(unit.packageName(), declaration.name(), declaration.span()));
                ownerUnits.add(unit);
            }
        }
        Map<String, Integer> first = new LinkedHashMap<>();
        for (int i = 0; i < owners.size(); i++) {
            Integer earlier = first.putIfAbsent(owners.get(i).key(), i);
            if (earlier != null && ownerUnits.get(earlier) != ownerUnits.get(i)) {
                report(owners.get(i), owners.get(earlier), diagnostics);
            }
        }
    }

    /** A declaration as the Java class it produces. */
    private record Owner(String packageName, String name, SourceSpan span) {
        String qualifiedName() {
            return packageName.isEmpty() ? name : packageName + "." + name;
        }

        /** Class files collide when their paths are equal ignoring case. */
        String key() {
            return qualifiedName().toLowerCase(Locale.ROOT);
        }
    }

    private static void reportCollisions(List<Owner> owners, Diagnostics diagnostics) {
        Map<String, Owner> first = new LinkedHashMap<>();
        for (Owner owner : owners) {
            Owner earlier = first.putIfAbsent(owner.key(), owner);
            if (earlier != null) {
                report(owner, earlier, diagnostics);
            }
        }
    }

    private static void report(Owner owner, Owner earlier, Diagnostics diagnostics) {
        boolean caseOnly = !owner.qualifiedName().equals(earlier.qualifiedName());
        diagnostics.add(new dev.nnc.compiler.diagnostic.Diagnostic(
                DiagnosticCode.NAME_CLASS_COLLISION,
                DiagnosticCode.NAME_CLASS_COLLISION.severity(),
                owner.span(),
                DiagnosticCode.NAME_CLASS_COLLISION.format(owner.qualifiedName(), earlier.qualifiedName()),
                Optional.of(
                        caseOnly
                                ? "class names that differ only in case collide on case-insensitive file systems (macOS, Windows); rename one"
                                : "rename one of them, or put them in different packages"),
                List.of(new dev.nnc.compiler.diagnostic.Diagnostic.Note(
                        earlier.span(), "'" + earlier.name() + "' is declared here"))));
    }

    private static Optional<? extends Declaration> check(
            CompilationUnit unit, dev.nnc.compiler.frontend.ast.Declaration declaration, Diagnostics diagnostics) {
        if (declaration instanceof dev.nnc.compiler.frontend.ast.Declaration.Network network) {
            return new NetworkChecker(unit.source(), network, diagnostics).check(header(declaration));
        }
        var function = (dev.nnc.compiler.frontend.ast.Declaration.Function) declaration;
        return new FunctionChecker(unit.source(), function, diagnostics).check(header(declaration));
    }

    /** From the keyword through the name: {@code network Xor}, where messages about the whole declaration point. */
    private static SourceSpan header(dev.nnc.compiler.frontend.ast.Declaration declaration) {
        SourceSpan span = declaration.span();
        SourceSpan name = declaration.nameSpan();
        return new SourceSpan(
                span.file(), span.line(), span.column(), name.endLine(), name.endColumn(), span.start(), name.end());
    }

    private static String packageName(CompilationUnit unit, Optional<String> defaultPackage, Diagnostics diagnostics) {
        if (unit.packageName().isPresent()) {
            String name = unit.packageName().get();
            SourceSpan span = unit.packageSpan()
                    .orElseGet(() -> SourceSpan.of(unit.source().name(), 1, 1, 0, 1));
            checkPackageName(name, span, diagnostics);
            return name;
        }
        String name = defaultPackage.orElse("");
        if (!name.isEmpty()) {
            checkPackageName(name, SourceSpan.of(unit.source().name(), 1, 1, 0, 1), diagnostics);
        }
        return name;
    }

    /** A package name javac accepts for a user's classes: Java identifiers, outside {@code java.*} and {@code javax.*}. */
    private static void checkPackageName(String name, SourceSpan span, Diagnostics diagnostics) {
        Optional<String> problem = JavaIdentifiers.packageNameProblem(name);
        if (problem.isPresent()) {
            diagnostics.report(DiagnosticCode.NAME_INVALID_PACKAGE, span, name, problem.get());
            return;
        }
        JavaIdentifiers.platformPackageRoot(name)
                .ifPresent(root -> diagnostics.reportWithHelp(
                        DiagnosticCode.NAME_RESERVED_PACKAGE,
                        span,
                        "put the classes in a package of your own, such as 'com.example'",
                        name,
                        root));
    }
}
