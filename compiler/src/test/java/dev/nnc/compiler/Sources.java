package dev.nnc.compiler;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** Test helper: runs {@link Compiler#check} on text or bytes. */
public final class Sources {
    private Sources() {}

    public static CompilationResult check(String name, String text) {
        return check(name, text.getBytes(StandardCharsets.UTF_8));
    }

    public static CompilationResult check(String name, byte[] bytes) {
        return Compiler.check(List.of(new SourceInput(name, bytes, Optional.empty())));
    }
}
