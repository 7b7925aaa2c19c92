package dev.nnc.compiler.cli;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * The {@code nnc} command line: {@code nnc COMMAND ARGS}, {@code --help}, {@code --version}.
 * Exit status: 0 success, 1 errors in the input, 2 wrong usage, 3 a bug in nnc. A mistake in
 * the user's input or command line never shows a Java stack trace.
 */
public final class Main {
    static final int EXIT_OK = 0;
    static final int EXIT_ERRORS = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_INTERNAL = 3;

    /** The commands that exist, in the order {@code --help} lists them. */
    private static final List<Command> COMMANDS = List.of(
            new CheckCommand(),
            new GenerateCommand(),
            new ReportCommand(),
            new ExportOnnxCommand(),
            new ImportOnnxCommand());

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs one command line and returns its exit status (for tests and embedding). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return dispatch(args, out, err);
        } catch (InternalCompilerError e) {
            err.println("nnc: " + e.getMessage());
            return EXIT_INTERNAL;
        } catch (RuntimeException e) {
            // Any other exception is a bug too; say so in one line instead of a stack trace.
            err.println("nnc: " + new InternalCompilerError(e.toString()).getMessage());
            return EXIT_INTERNAL;
        }
    }

    private static int dispatch(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(usage());
            return EXIT_USAGE;
        }
        String first = args[0];
        if (first.equals("--help") || first.equals("-h") || first.equals("help")) {
            out.print(usage());
            return EXIT_OK;
        }
        if (first.equals("--version")) {
            out.println("nnc " + version());
            return EXIT_OK;
        }
        Optional<Command> command =
                COMMANDS.stream().filter(c -> c.name().equals(first)).findFirst();
        if (command.isEmpty()) {
            err.println("nnc: unknown command '" + first + "'; run 'nnc --help' for the list of commands");
            return EXIT_USAGE;
        }
        return command.get().run(Arrays.asList(args).subList(1, args.length), out, err);
    }

    static String usage() {
        StringBuilder text = new StringBuilder();
        text.append("usage: nnc COMMAND [ARGUMENTS]\n\ncommands:\n");
        for (Command command : COMMANDS) {
            String left = command.name() + " " + command.arguments();
            text.append(String.format("  %-36s %s%n", left, command.summary()));
        }
        text.append(String.format(
                "%noptions:%n  %-36s %s%n  %-36s %s%n",
                "--help", "show this help", "--version", "show the version of nnc"));
        return text.toString();
    }

    /** The project version, from the resource Maven filters at build time. */
    static String version() {
        Properties properties = new Properties();
        try (InputStream in = Main.class.getResourceAsStream("/dev/nnc/compiler/version.properties")) {
            if (in == null) {
                throw new InternalCompilerError("version.properties is missing from the class path");
            }
            properties.load(in);
        } catch (IOException e) {
            throw new InternalCompilerError("cannot read version.properties", e);
        }
        return properties.getProperty("version", "unknown");
    }
}
