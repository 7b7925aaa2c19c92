package dev.nnc.maven;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IncrementalStateTest {
    private static final String XOR_HASH = IncrementalState.sha256("network Xor {}".getBytes(StandardCharsets.UTF_8));
    private static final String AND_HASH = IncrementalState.sha256("network And {}".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path dir;

    private static IncrementalState state(Map<String, String> config, Map<String, String> inputs) {
        return new IncrementalState(config, inputs, Map.of("com/acme/Xor.java", XOR_HASH));
    }

    @Test
    void hashesAsSha256InLowerCaseHex() {
        assertEquals(
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                IncrementalState.sha256(new byte[0]));
    }

    @Test
    void readsBackWhatItWrote() throws IOException {
        IncrementalState written = new IncrementalState(
                Map.of("compiler", "0.1.0", "packageName", ""),
                Map.of("com/acme/xor.nn", XOR_HASH, "and gate.nn", AND_HASH),
                Map.of("com/acme/Xor.java", XOR_HASH));

        written.write(dir);

        assertEquals(written, IncrementalState.read(dir));
    }

    @Test
    void writesTheListsInTheFormatOfSha256sumSortedByPath() throws IOException {
        new IncrementalState(Map.of("compiler", "0.1.0"), Map.of("b.nn", XOR_HASH, "a.nn", AND_HASH), Map.of())
                .write(dir);

        assertEquals(List.of(AND_HASH + "  a.nn", XOR_HASH + "  b.nn"), Files.readAllLines(dir.resolve("inputs.lst")));
        assertEquals(List.of("compiler=0.1.0"), Files.readAllLines(dir.resolve("config.lst")));
        assertEquals(List.of(), Files.readAllLines(dir.resolve("outputs.lst")));
    }

    @Test
    void readsAsEmptyWhenThereIsNoState() {
        assertSame(IncrementalState.EMPTY, IncrementalState.read(dir.resolve("never-written")));
    }

    @Test
    void readsAsEmptyWhenAFileIsDamaged() throws IOException {
        state(Map.of("compiler", "0.1.0"), Map.of("xor.nn", XOR_HASH)).write(dir);
        Files.writeString(dir.resolve("inputs.lst"), "not a hash line\n");

        assertSame(IncrementalState.EMPTY, IncrementalState.read(dir));
    }

    @Test
    void seesAChangeInAnInputOrInTheConfiguration() {
        IncrementalState before = state(Map.of("packageName", ""), Map.of("xor.nn", XOR_HASH));

        assertTrue(before.hasSameInputs(state(Map.of("packageName", ""), Map.of("xor.nn", XOR_HASH))));
        assertFalse(before.hasSameInputs(state(Map.of("packageName", ""), Map.of("xor.nn", AND_HASH))));
        assertFalse(before.hasSameInputs(state(Map.of("packageName", "com.acme"), Map.of("xor.nn", XOR_HASH))));
        assertFalse(
                before.hasSameInputs(state(Map.of("packageName", ""), Map.of("xor.nn", XOR_HASH, "and.nn", AND_HASH))));
        assertFalse(before.hasSameInputs(IncrementalState.EMPTY));
    }

    @Test
    void listsAsStaleTheOutputsNoLongerProduced() {
        IncrementalState previous = new IncrementalState(
                Map.of(), Map.of(), Map.of("b/And.java", AND_HASH, "a/Xor.java", XOR_HASH, "Or.java", XOR_HASH));

        assertEquals(List.of("Or.java", "b/And.java"), List.copyOf(previous.staleOutputs(Set.of("a/Xor.java"))));
        assertEquals(List.of(), List.copyOf(IncrementalState.EMPTY.staleOutputs(Set.of("a/Xor.java"))));
    }

    @Test
    void findsOutputsIntactOnlyWhenEachHasTheBytesWritten() throws IOException {
        Path xor = dir.resolve("com/acme/Xor.java");
        Files.createDirectories(xor.getParent());
        Files.writeString(xor, "network Xor {}");
        IncrementalState state = state(Map.of(), Map.of());

        assertTrue(state.outputsIntact(dir));

        Files.writeString(xor, "edited by hand");
        assertFalse(state.outputsIntact(dir));

        Files.delete(xor);
        assertFalse(state.outputsIntact(dir));
    }
}
