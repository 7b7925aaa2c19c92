package dev.nnc.compiler.cli;

import dev.nnc.compiler.CompilationResult;
import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.GeneratedFile;
import dev.nnc.compiler.OutputFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code nnc generate FILE... -d OUTDIR [--package NAME]}: one {@code .java} file per declaration
 * under OUTDIR, in folders of its package. Nothing is written when any input has an error, and
 * each file is written to a temporary file first and then moved into place, so an interrupted
 * run never leaves a half-written class ({@link OutputFiles}). A file whose content is unchanged
 * is left untouched.
 */
final class GenerateCommand implements Command {
    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String arguments() {
        return "FILE... -d OUTDIR [--package NAME]";
    }

    @Override
    public String summary() {
        return "generate one Java class per declaration under OUTDIR";
    }

    @Override
    public int run(List<String> arguments, PrintStream out, PrintStream err) {
        try {
            Options options = Options.parse(arguments);
            CompilationResult result = Compiler.generate(SourceFiles.read(options.files(), options.packageName()));
            err.print(result.rendered());
            if (result.hasErrors()) {
                return Main.EXIT_ERRORS;
            }
            int written = 0;
            for (GeneratedFile file : result.files()) {
                if (OutputFiles.writeIfChanged(
                        options.outputDirectory().resolve(file.relativePath()),
                        file.content().getBytes(StandardCharsets.UTF_8))) {
                    written++;
                }
            }
            out.printf(
                    "nnc: %d class%s generated in %s (%d written, %d unchanged)%n",
                    result.files().size(),
                    result.files().size() == 1 ? "" : "es",
                    options.outputDirectory(),
                    written,
                    result.files().size() - written);
            return Main.EXIT_OK;
        } catch (UsageException e) {
            err.println("nnc generate: " + e.getMessage());
            return Main.EXIT_USAGE;
        } catch (IOException e) {
            err.println("nnc generate: cannot write the output: " + e);
            return Main.EXIT_ERRORS;
        }
    }

    /** The parsed command line of {@code generate}. */
    private record Options(List<String> files, Path outputDirectory, Optional<String> packageName) {
        static Options parse(List<String> arguments) throws UsageException {
            List<String> files = new ArrayList<>();
            Path output = null;
            Optional<String> packageName = Optional.empty();
            for (int i = 0; i < arguments.size(); i++) {
                String argument = arguments.get(i);
                switch (argument) {
                    case "-d" -> output = path(value(arguments, ++i, "-d"));
                    case "--package" -> packageName = Optional.of(value(arguments, ++i, "--package"));
                    default -> {
                        if (argument.startsWith("-")) {
                            throw new UsageException("unknown option '" + argument + "' for 'generate'");
                        }
                        files.add(argument);
                    }
                }
            }
            if (files.isEmpty()) {
                throw new UsageException("no input files; usage: nnc generate FILE... -d OUTDIR [--package NAME]");
            }
            if (output == null) {
                throw new UsageException("no output folder; give it with -d OUTDIR");
            }
            return new Options(files, output, packageName);
        }

        private static String value(List<String> arguments, int index, String option) throws UsageException {
            if (index >= arguments.size()) {
                throw new UsageException("option " + option + " needs a value");
            }
            return arguments.get(index);
        }

        private static Path path(String text) throws UsageException {
            try {
                return Path.of(text);
            } catch (InvalidPathException e) {
                throw new UsageException("invalid output folder '" + text + "': " + e.getReason());
            }
        }
    }
}
