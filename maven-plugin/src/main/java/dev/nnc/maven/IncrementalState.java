package dev.nnc.maven;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the last successful run of one execution compiled and wrote, kept in three text files
 * so that the next run can tell whether anything changed:
 *
 * <pre>
 * config.lst    compiler=0.1.0 ... packageName=com.acme ...   (key=value, one a line)
 * inputs.lst    9f86d08...  com/acme/xor.nn                   (SHA-256 and path under the source root)
 * outputs.lst   60303ae...  com/acme/Xor.java                 (SHA-256 and path under the output root)
 * </pre>
 *
 * <p>The two lists use the format of {@code sha256sum}, so {@code sha256sum -c} can check them
 * from the root they are relative to. Content hashes rather than timestamps decide, because a
 * checkout, a copy or a build server changes timestamps without changing what to generate. A
 * missing or unreadable state reads as {@link #EMPTY}, which only means that the next run
 * regenerates everything.
 */
record IncrementalState(Map<String, String> config, Map<String, String> inputs, Map<String, String> outputs) {

    static final IncrementalState EMPTY = new IncrementalState(Map.of(), Map.of(), Map.of());

    private static final String CONFIG = "config.lst";
    private static final String INPUTS = "inputs.lst";
    private static final String OUTPUTS = "outputs.lst";
    private static final String HASH_SEPARATOR = "  ";
    private static final int HASH_LENGTH = 64;

    /** Copies the maps into unmodifiable ones sorted by key, so that files are written in path order. */
    IncrementalState {
        config = sorted(config);
        inputs = sorted(inputs);
        outputs = sorted(outputs);
    }

    /** Whether {@code other} saw the same configuration and the same input files and bytes. */
    boolean hasSameInputs(IncrementalState other) {
        return config.equals(other.config) && inputs.equals(other.inputs);
    }

    /** Files this state lists as written that {@code produced} no longer contains, in path order. */
    SortedSet<String> staleOutputs(Iterable<String> produced) {
        SortedSet<String> stale = new TreeSet<>(outputs.keySet());
        produced.forEach(stale::remove);
        return stale;
    }

    /** Whether every listed output is still under {@code outputRoot} with the bytes that were written. */
    boolean outputsIntact(Path outputRoot) {
        for (Map.Entry<String, String> output : outputs.entrySet()) {
            try {
                if (!sha256(Files.readAllBytes(outputRoot.resolve(output.getKey())))
                        .equals(output.getValue())) {
                    return false;
                }
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }

    /** Reads the state kept in {@code directory}; {@link #EMPTY} if there is none or it is damaged. */
    static IncrementalState read(Path directory) {
        try {
            Optional<Map<String, String>> config = readConfig(directory.resolve(CONFIG));
            Optional<Map<String, String>> inputs = readHashes(directory.resolve(INPUTS));
            Optional<Map<String, String>> outputs = readHashes(directory.resolve(OUTPUTS));
            if (config.isEmpty() || inputs.isEmpty() || outputs.isEmpty()) {
                return EMPTY;
            }
            return new IncrementalState(config.get(), inputs.get(), outputs.get());
        } catch (IOException e) {
            return EMPTY;
        }
    }

    /** Writes the three files into {@code directory}, each replaced atomically. */
    void write(Path directory) throws IOException {
        Files.createDirectories(directory);
        StringBuilder text = new StringBuilder();
        config.forEach(
                (key, value) -> text.append(key).append('=').append(value).append('\n'));
        OutputWriter.writeAtomically(directory.resolve(CONFIG), text.toString().getBytes(StandardCharsets.UTF_8));
        OutputWriter.writeAtomically(directory.resolve(INPUTS), hashList(inputs));
        OutputWriter.writeAtomically(directory.resolve(OUTPUTS), hashList(outputs));
    }

    /** Removes the state files from {@code directory}, if they are there. */
    static void delete(Path directory) throws IOException {
        for (String name : List.of(CONFIG, INPUTS, OUTPUTS)) {
            Files.deleteIfExists(directory.resolve(name));
        }
    }

    /** Lower-case hexadecimal SHA-256 of {@code bytes}. */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-256", e);
        }
    }

    private static byte[] hashList(Map<String, String> hashes) {
        StringBuilder text = new StringBuilder();
        hashes.forEach((path, hash) ->
                text.append(hash).append(HASH_SEPARATOR).append(path).append('\n'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static Optional<Map<String, String>> readConfig(Path file) throws IOException {
        Map<String, String> config = new TreeMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int equals = line.indexOf('=');
            if (equals < 1) {
                return Optional.empty();
            }
            config.put(line.substring(0, equals), line.substring(equals + 1));
        }
        return Optional.of(config);
    }

    private static Optional<Map<String, String>> readHashes(Path file) throws IOException {
        Map<String, String> hashes = new TreeMap<>();
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            int pathStart = HASH_LENGTH + HASH_SEPARATOR.length();
            if (line.length() <= pathStart || !line.startsWith(HASH_SEPARATOR, HASH_LENGTH)) {
                return Optional.empty();
            }
            hashes.put(line.substring(pathStart), line.substring(0, HASH_LENGTH));
        }
        return Optional.of(hashes);
    }

    private static Map<String, String> sorted(Map<String, String> map) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }
}
