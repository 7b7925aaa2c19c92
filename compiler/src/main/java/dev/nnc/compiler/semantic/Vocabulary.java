package dev.nnc.compiler.semantic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fixed words of the language that are not keywords: builtins, layers, initializers,
 * optimizers and {@code weights}. It answers "what is this word" for messages such as
 * "'relu' is a function, not a value", and lists spellings for "did you mean".
 */
final class Vocabulary {
    /** The word that names every weight matrix of a network inside {@code l1}/{@code l2}. */
    static final String WEIGHTS = "weights";

    private static final Map<String, Initializer.Kind> INITIALIZERS = initializers();

    private Vocabulary() {}

    private static Map<String, Initializer.Kind> initializers() {
        Map<String, Initializer.Kind> map = new LinkedHashMap<>();
        for (Initializer.Kind kind : Initializer.Kind.values()) {
            map.put(kind.spelling(), kind);
        }
        map.put("xavier", Initializer.Kind.GLOROT_UNIFORM);
        map.put("he", Initializer.Kind.HE_NORMAL);
        return Map.copyOf(map);
    }

    static Optional<Initializer.Kind> initializer(String name) {
        return Optional.ofNullable(INITIALIZERS.get(name));
    }

    static List<String> initializerSpellings() {
        List<String> spellings = new ArrayList<>();
        Arrays.stream(Initializer.Kind.values()).map(Initializer.Kind::spelling).forEach(spellings::add);
        spellings.add("xavier");
        spellings.add("he");
        return spellings;
    }

    static Optional<OptimizerSpec.Kind> optimizer(String name) {
        return Arrays.stream(OptimizerSpec.Kind.values())
                .filter(k -> k.spelling().equals(name))
                .findFirst();
    }

    static List<String> optimizerSpellings() {
        return Arrays.stream(OptimizerSpec.Kind.values())
                .map(OptimizerSpec.Kind::spelling)
                .toList();
    }

    /** Builtins that may be a layer's activation (elementwise, one argument). */
    static List<String> activationSpellings() {
        List<String> spellings = new ArrayList<>();
        for (String spelling : Builtin.spellings()) {
            if (Builtin.named(spelling).filter(Builtin::isActivation).isPresent()) {
                spellings.add(spelling);
            }
        }
        return spellings;
    }

    /** Everything that can be called in an expression: builtins, layers and shape functions. */
    static List<String> callableSpellings() {
        List<String> spellings = new ArrayList<>(Builtin.spellings());
        Arrays.stream(Layer.values()).map(Layer::spelling).forEach(spellings::add);
        Arrays.stream(ShapeFunction.values()).map(ShapeFunction::spelling).forEach(spellings::add);
        return spellings;
    }

    /** "a function", "a layer", ... for a fixed word; empty for any other name. */
    static Optional<String> kindOf(String name) {
        if (Builtin.named(name).isPresent() || ShapeFunction.named(name).isPresent()) {
            return Optional.of("a function");
        }
        if (Layer.named(name).isPresent()) {
            return Optional.of("a layer");
        }
        if (initializer(name).isPresent()) {
            return Optional.of("an initializer");
        }
        if (optimizer(name).isPresent()) {
            return Optional.of("an optimizer");
        }
        if (name.equals(WEIGHTS)) {
            return Optional.of("the set of all weight matrices");
        }
        return Optional.empty();
    }

    /** How a fixed word is used, as a help line. */
    static String usage(String name) {
        if (Builtin.named(name).isPresent()
                || Layer.named(name).isPresent()
                || ShapeFunction.named(name).isPresent()) {
            return "call it: " + name + "(...)";
        }
        if (initializer(name).isPresent()) {
            return "initializers follow 'param NAME[...] =' or 'init =' in dense(...)";
        }
        if (optimizer(name).isPresent()) {
            return "use it in the network statement 'optimizer " + name + "(...);'";
        }
        return "use it as the argument of l1(...) or l2(...)";
    }
}
