package dev.nnc.compiler.cli;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.codegen.DeclarationReport;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code nnc report FILE [--name DECL]}: for each declaration, its inputs, outputs and parameter
 * count, the operation count of the forward and the backward pass per sample, then the
 * generated forward and backward code.
 */
final class ReportCommand implements Command {
    @Override
    public String name() {
        return "report";
    }

    @Override
    public String arguments() {
        return "FILE [--name DECL]";
    }

    @Override
    public String summary() {
        return "show operation counts and the generated forward/backward code";
    }

    @Override
    public int run(List<String> arguments, PrintStream out, PrintStream err) {
        try {
            List<String> files = new ArrayList<>();
            Optional<String> name = Optional.empty();
            for (int i = 0; i < arguments.size(); i++) {
                String argument = arguments.get(i);
                if (argument.equals("--name")) {
                    if (i + 1 >= arguments.size()) {
                        throw new UsageException("option --name needs a declaration name");
                    }
                    name = Optional.of(arguments.get(++i));
                } else if (argument.startsWith("-")) {
                    throw new UsageException("unknown option '" + argument + "' for 'report'");
                } else {
                    files.add(argument);
                }
            }
            if (files.size() != 1) {
                throw new UsageException("give exactly one file; usage: nnc report FILE [--name DECL]");
            }
            Compiler.Report report = Compiler.report(SourceFiles.read(files, Optional.empty()), name);
            err.print(report.diagnostics().rendered());
            if (report.diagnostics().hasErrors()) {
                return Main.EXIT_ERRORS;
            }
            if (report.declarations().isEmpty()) {
                err.println("nnc report: " + files.get(0) + " declares no '" + name.orElse("") + "'");
                return Main.EXIT_USAGE;
            }
            for (DeclarationReport declaration : report.declarations()) {
                print(declaration, out);
            }
            return Main.EXIT_OK;
        } catch (UsageException e) {
            err.println("nnc report: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
    }

    private static void print(DeclarationReport report, PrintStream out) {
        out.printf("%s %s%n", report.kind(), report.name());
        out.printf("  inputs:      %s%n", String.join(", ", report.inputs()));
        out.printf("  outputs:     %s%n", String.join(", ", report.outputs()));
        out.printf("  parameters:  %d%n", report.parameterCount());
        out.printf(
                "  operations per sample: forward %d, backward %d, total %d%n",
                report.forwardOperations(),
                report.backwardOperations(),
                report.forwardOperations() + report.backwardOperations());
        out.println();
        for (String line : report.code().split("\n", -1)) {
            out.println(line.isEmpty() ? "" : "  " + line);
        }
    }
}
