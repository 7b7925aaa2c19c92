package dev.nnc.compiler.codegen;

import com.palantir.javapoet.JavaFile;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.GeneratedFile;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.semantic.CheckedUnit;
import dev.nnc.compiler.semantic.Declaration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The back end's one entry point: checked declarations to Java source files, one class per
 * declaration, through their graphs (lowered, differentiated and optimised). Output is
 * deterministic: names come from the spec, literals from {@link Literals}, and nothing depends
 * on the time, the machine or hash order.
 */
public final class CodeGenerator {
    private CodeGenerator() {}

    public static List<GeneratedFile> generate(List<CheckedUnit> units) {
        List<GeneratedFile> files = new ArrayList<>();
        for (CheckedUnit unit : units) {
            for (Declaration declaration : unit.declarations()) {
                files.add(new GeneratedFile(
                        unit.packageName(),
                        declaration.name(),
                        unit.source().name(),
                        settle(declaration, unit).source()));
            }
        }
        return List.copyOf(files);
    }

    /**
     * The report of every declaration: interface, parameter count, operation counts of the
     * optimised graphs the generated code follows, and that code's kernel methods.
     */
    public static List<DeclarationReport> report(List<CheckedUnit> units) {
        List<DeclarationReport> reports = new ArrayList<>();
        for (CheckedUnit unit : units) {
            for (Declaration declaration : unit.declarations()) {
                reports.add(Reports.of(declaration, unit));
            }
        }
        return List.copyOf(reports);
    }

    /**
     * The class of {@code declaration}, generated at least twice (see {@link JavaNames}): a
     * probe pass whose output tells the generator's own identifiers, and the real pass, whose
     * spec names avoid all of them. Where the real names change the code's shape (a kernel
     * split at a different size names one more part, {@code trainTile2}), the new words join
     * the vocabulary and the class is generated again; a few rounds always settle.
     */
    static TypeSpec type(Declaration declaration, CheckedUnit unit) {
        return settle(declaration, unit).type();
    }

    /** A class whose names have settled, and its source: the last round's rendering is the file. */
    private record Settled(TypeSpec type, String source) {}

    private static Settled settle(Declaration declaration, CheckedUnit unit) {
        Function<JavaNames, TypeSpec> generator;
        if (declaration instanceof Declaration.Network network) {
            NetworkClasses.Graphs graphs = NetworkClasses.Graphs.of(network);
            generator = names -> NetworkClasses.generate(network, graphs, unit, names);
        } else {
            Declaration.Function function = (Declaration.Function) declaration;
            FunctionClasses.Graphs graphs = FunctionClasses.Graphs.of(function);
            generator = names -> FunctionClasses.generate(function, graphs, unit, names);
        }
        Set<String> vocabulary = generatorIdentifiers(render(unit, generator.apply(JavaNames.probe())));
        for (int round = 0; round < MAX_NAMING_ROUNDS; round++) {
            JavaNames names = JavaNames.avoiding(vocabulary);
            TypeSpec type = generator.apply(names);
            String source = render(unit, type);
            Set<String> unexplained = new LinkedHashSet<>(SourceIdentifiers.of(source));
            unexplained.removeAll(vocabulary);
            unexplained.removeAll(names.allocated());
            if (unexplained.isEmpty()) {
                return new Settled(type, source);
            }
            vocabulary.addAll(unexplained);
        }
        throw new InternalCompilerError(
                "the names of class " + declaration.name() + " did not settle in " + MAX_NAMING_ROUNDS + " rounds");
    }

    /** Rounds of {@link #type} before it gives up: each adds words, and the generator has few. */
    private static final int MAX_NAMING_ROUNDS = 8;

    /** The identifiers of a probe pass's source that no spec name produced. */
    private static Set<String> generatorIdentifiers(String probeSource) {
        Set<String> identifiers = new LinkedHashSet<>();
        for (String identifier : SourceIdentifiers.of(probeSource)) {
            if (!identifier.contains(JavaNames.PROBE_MARK)) {
                identifiers.add(identifier);
            }
        }
        return identifiers;
    }

    /** The one header of every generated file, and the indent of our own code. */
    private static String render(CheckedUnit unit, TypeSpec type) {
        return JavaFile.builder(unit.packageName(), type)
                .addFileComment(
                        "Generated by nnc $L from $L. Do not edit.",
                        Version.current(),
                        Comments.line(unit.source().fileName()))
                .skipJavaLangImports(false)
                .indent("    ")
                .build()
                .toString();
    }
}
