package dev.nnc.compiler.cli;

import dev.nnc.compiler.semantic.Precision;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The command line of the commands that work on one network and a weights file: {@code FILE...
 * [--network NAME] WEIGHTS_OPTION WEIGHTS -o OUT}, and for a command that writes a model, {@code
 * [--precision float|double]} (float when left out).
 */
record NetworkOptions(List<String> files, Optional<String> network, Path weights, Path output, Precision precision) {
    /** The options of a command that takes no {@code --precision}. */
    static NetworkOptions parse(String command, List<String> arguments, String weightsOption) throws UsageException {
        return parse(command, arguments, weightsOption, false);
    }

    /** The options of a command, with {@code --precision} accepted if {@code takesPrecision}. */
    static NetworkOptions parse(String command, List<String> arguments, String weightsOption, boolean takesPrecision)
            throws UsageException {
        List<String> files = new ArrayList<>();
        Optional<String> network = Optional.empty();
        Path weights = null;
        Path output = null;
        Precision precision = Precision.FLOAT;
        for (int i = 0; i < arguments.size(); i++) {
            String argument = arguments.get(i);
            if (argument.equals("--network")) {
                network = Optional.of(value(arguments, ++i, argument));
            } else if (takesPrecision && argument.equals("--precision")) {
                precision = precision(value(arguments, ++i, argument));
            } else if (argument.equals(weightsOption)) {
                weights = path(value(arguments, ++i, argument));
            } else if (argument.equals("-o")) {
                output = path(value(arguments, ++i, argument));
            } else if (argument.startsWith("-")) {
                throw new UsageException("unknown option '" + argument + "' for '" + command + "'");
            } else {
                files.add(argument);
            }
        }
        if (files.isEmpty()) {
            throw new UsageException("no input files; give the .nn file that declares the network");
        }
        if (weights == null) {
            throw new UsageException("no weights; give them with " + weightsOption + " FILE");
        }
        if (output == null) {
            throw new UsageException("no output file; give it with -o FILE");
        }
        return new NetworkOptions(files, network, weights, output, precision);
    }

    private static Precision precision(String text) throws UsageException {
        return switch (text) {
            case "float" -> Precision.FLOAT;
            case "double" -> Precision.DOUBLE;
            default -> throw new UsageException("option --precision takes float or double, found '" + text + "'");
        };
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
            throw new UsageException("invalid path '" + text + "': " + e.getReason());
        }
    }
}
