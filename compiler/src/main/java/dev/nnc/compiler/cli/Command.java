package dev.nnc.compiler.cli;

import java.io.PrintStream;
import java.util.List;

/** One subcommand of {@code nnc}; {@link Main} lists and dispatches them. */
interface Command {
    /** The word that selects it: {@code check}. */
    String name();

    /** Its arguments as the help shows them: {@code FILE...}. */
    String arguments();

    /** One line for {@code --help}. */
    String summary();

    /** Runs with the arguments after the command word; returns the exit status. */
    int run(List<String> arguments, PrintStream out, PrintStream err);
}
