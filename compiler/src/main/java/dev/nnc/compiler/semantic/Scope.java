package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.SourceSpan;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The names of one declaration, in the order they were defined. A name whose declaration was
 * wrong is still entered ({@link Entry.Broken}), so that its uses do not cascade into
 * "unknown name" errors: the user sees the one real mistake.
 */
final class Scope {
    /** What a name stands for. */
    sealed interface Entry {
        SourceSpan span();

        /** An input, target, parameter, definition or function argument. */
        record Value(Symbol symbol, SourceSpan span) implements Entry {}

        /** A {@code const}, already folded. */
        record Constant(double value, SourceSpan span) implements Entry {}

        /** A name whose declaration had an error that was already reported. */
        record Broken(SourceSpan span) implements Entry {}
    }

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, SourceSpan> declaredAnywhere;

    /** {@code declaredAnywhere}: every name the declaration defines, for "used before it is defined". */
    Scope(Map<String, SourceSpan> declaredAnywhere) {
        this.declaredAnywhere = Map.copyOf(declaredAnywhere);
    }

    Optional<Entry> lookup(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** Where {@code name} is defined further down, if it is. */
    Optional<SourceSpan> definedLater(String name) {
        return entries.containsKey(name) ? Optional.empty() : Optional.ofNullable(declaredAnywhere.get(name));
    }

    /** Enters {@code name}; returns the earlier entry instead when the name is taken. */
    Optional<Entry> define(String name, Entry entry) {
        Entry earlier = entries.putIfAbsent(name, entry);
        return Optional.ofNullable(earlier);
    }

    /** The names defined so far, for "did you mean". */
    Set<String> names() {
        return entries.keySet();
    }
}
