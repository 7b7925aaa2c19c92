package dev.nnc.compiler.cli;

import dev.nnc.compiler.CompilationResult;
import dev.nnc.compiler.Compiler;
import java.io.PrintStream;
import java.util.List;
import java.util.Optional;

/** {@code nnc check FILE...}: parses and checks, prints every diagnostic, generates nothing. */
final class CheckCommand implements Command {
    @Override
    public String name() {
        return "check";
    }

    @Override
    public String arguments() {
        return "FILE...";
    }

    @Override
    public String summary() {
        return "check .nn files and report every problem (exit 0 when valid, 1 on errors)";
    }

    @Override
    public int run(List<String> arguments, PrintStream out, PrintStream err) {
        try {
            for (String argument : arguments) {
                if (argument.startsWith("-")) {
                    throw new UsageException("unknown option '" + argument + "' for 'check'");
                }
            }
            if (arguments.isEmpty()) {
                throw new UsageException("no input files; usage: nnc check FILE...");
            }
            CompilationResult result = Compiler.check(SourceFiles.read(arguments, Optional.empty()));
            err.print(result.rendered());
            return result.hasErrors() ? Main.EXIT_ERRORS : Main.EXIT_OK;
        } catch (UsageException e) {
            err.println("nnc check: " + e.getMessage());
            return Main.EXIT_USAGE;
        }
    }
}
