package dev.nnc.compiler.codegen;

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.lang.model.SourceVersion;

/**
 * Every naming rule of generated code, in one place, for one generated class.
 *
 * <p>Values keep their spec names ({@code hidden}); unrolled elements add their index
 * ({@code hidden0}); adjoints take the prefix {@code d_}; optimizer state takes the state's
 * name as prefix ({@code m_hidden_weight}); compiler temporaries are {@code t3}. Dots in layer
 * parameter names become underscores ({@code hidden.weight} is {@code hidden_weight}).
 *
 * <p><b>Two namespaces.</b> A name derived from the spec must never be one the generator writes
 * itself: not a generated member, not a parameter or local of any generated method (a user's
 * {@code src} would otherwise be shadowed by {@code setParameters(double[] src)}), not a type
 * the code names ({@code Math}, {@code Double}, {@code ParameterFile}: a variable obscures a
 * type of the same name) and not a package's first segment ({@code java}, {@code dev}). That
 * vocabulary is not listed by hand, which could never keep up with the generator: it is read
 * off the generated class itself. {@link CodeGenerator} generates each class twice. The
 * <em>probe</em> pass names every allocated value {@code nncProbe<n>}, padded to at least the
 * real name's length ({@link #probeName}); every identifier of its
 * output that does not contain that mark is then the generator's own. The second pass reserves
 * all of those before it allocates a single spec name, so a spec name that clashes gets an
 * underscore ({@code src_}) and every other keeps its spelling. The generator's vocabulary does
 * not depend on the spelling of spec names, and {@link CodeGenerator} checks that the second
 * output holds no identifier outside the reserved and allocated sets, so a name built around
 * this class would fail the build instead of going unnoticed. Java keywords are reserved too,
 * so a user's {@code class} is {@code class_}.
 */
final class JavaNames {
    /** What every probe name contains, and no identifier the generator writes does. */
    static final String PROBE_MARK = "nncProbe";

    /** Underscores a real name may gain over its suggestion, which probe names are padded for. */
    private static final int PROBE_SLACK = 3;

    /**
     * Locals the generator derives from an allocated array's name: a column of a matrix stored
     * by columns ({@link ParameterRuns}) and a shard's gradient ({@link PartsEmitter}). A name
     * is only handed out together with these, so they are spec names' too and clash with
     * nothing.
     */
    static final List<String> DERIVED_SUFFIXES = List.of("_c", "_shard");

    /** Names taken in this scope: the reserved vocabulary and every allocation, with its derived names. */
    private final Set<String> taken;

    private final Map<Object, String> byTag;

    /** Every name handed out by this class's scopes, including its methods'. */
    private final Set<String> allocated;

    /** The next probe name's number; null outside the probe pass. */
    private final int[] probeCount;

    /** The class's names for a method's scope; null for the class's own. */
    private final JavaNames parent;

    private JavaNames(
            Set<String> taken, Map<Object, String> byTag, Set<String> allocated, int[] probeCount, JavaNames parent) {
        this.taken = taken;
        this.byTag = byTag;
        this.allocated = allocated;
        this.probeCount = probeCount;
        this.parent = parent;
    }

    /** Names for the probe pass: every allocated name is {@code nncProbe<n>}, unique in the class. */
    static JavaNames probe() {
        return new JavaNames(new HashSet<>(), new HashMap<>(), new LinkedHashSet<>(), new int[1], null);
    }

    /** Names that avoid {@code vocabulary}, the generator's own identifiers in this class. */
    static JavaNames avoiding(Set<String> vocabulary) {
        return new JavaNames(new HashSet<>(vocabulary), new HashMap<>(), new LinkedHashSet<>(), null, null);
    }

    /** The Java name for the spec name {@code specName} under {@code tag} (allocated once). */
    String of(Object tag, String specName) {
        String name = byTag.get(tag);
        if (name == null) {
            name = fresh(specName.replace('.', '_'));
            byTag.put(tag, name);
        }
        return name;
    }

    /**
     * Names for the locals of one method: everything the class has allocated so far stays
     * taken, and what the method allocates does not leak into other methods. The class may
     * allocate members while its methods are being written (a field for a value stored by a later
     * kernel), so a method's name is also checked against the class's names as they are then,
     * and a member's against every local of every method so far: a local never shadows a member
     * the same method reads.
     */
    JavaNames forMethod() {
        return new JavaNames(new HashSet<>(taken), new HashMap<>(byTag), allocated, probeCount, this);
    }

    /**
     * A name that collides with nothing taken so far, and whose derived names do not either:
     * {@code suggestion} itself if it can, with underscores appended if not.
     */
    String fresh(String suggestion) {
        String name = probeCount != null ? probeName(suggestion) : javaIdentifier(suggestion);
        if (SourceVersion.isKeyword(name)) {
            name = name + "_";
        }
        while (!isFree(name)) {
            name = name + "_";
        }
        take(name);
        for (String suffix : DERIVED_SUFFIXES) {
            take(name + suffix);
        }
        return name;
    }

    /** Every name allocated so far, with its derived names, by this class and its methods. */
    Set<String> allocated() {
        return Set.copyOf(allocated);
    }

    private boolean isFree(String name) {
        // A method's scope also avoids the class's members as they are now.
        for (String candidate : withDerived(name)) {
            if (taken.contains(candidate) || parent != null && parent.taken.contains(candidate)) {
                return false;
            }
        }
        return true;
    }

    private static List<String> withDerived(String name) {
        List<String> names = new java.util.ArrayList<>(DERIVED_SUFFIXES.size() + 1);
        names.add(name);
        for (String suffix : DERIVED_SUFFIXES) {
            names.add(name + suffix);
        }
        return names;
    }

    private void take(String name) {
        taken.add(name);
        allocated.add(name);
    }

    /**
     * The probe pass's name for {@code suggestion}: the mark and a number, as long as the real name
     * could be at the least (the suggestion with {@link #PROBE_SLACK} underscores). Where the code's
     * shape depends on its length (a kernel split into methods past a number of characters, and
     * then written as loops rather than unrolled), the probe's code is then at least as long as
     * the real pass's, so it takes every shape the real pass can and shows each of its words: with
     * shorter probe names, a network of long names was split only in the real pass, whose loop
     * variable {@code c} then shadowed a parameter named {@code c}.
     */
    private String probeName(String suggestion) {
        StringBuilder name = new StringBuilder(PROBE_MARK).append(probeCount[0]++);
        while (name.length() < suggestion.length() + PROBE_SLACK) {
            name.append('x');
        }
        return name.toString();
    }

    private static String javaIdentifier(String suggestion) {
        StringBuilder name = new StringBuilder();
        for (int i = 0; i < suggestion.length(); i++) {
            char c = suggestion.charAt(i);
            boolean valid = i == 0 ? Character.isJavaIdentifierStart(c) : Character.isJavaIdentifierPart(c);
            if (!valid && i == 0 && Character.isJavaIdentifierPart(c)) {
                name.append('_');
                valid = true;
            }
            name.append(valid && c != '$' ? c : '_');
        }
        return name.isEmpty() ? "_" : name.toString();
    }
}
