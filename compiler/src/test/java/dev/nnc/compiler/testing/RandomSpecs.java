package dev.nnc.compiler.testing;

import dev.nnc.compiler.Compiler;
import dev.nnc.compiler.SourceInput;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Random well-formed {@code .nn} specs over the whole version-1 language: networks (inputs,
 * targets, params with every initialiser, consts, dense, rbf and dropout layers with every
 * activation, elementwise and vector functions, products, every loss, l1 and l2 penalties,
 * every optimizer with its options, precision, seed) and functions (expression and block form),
 * with doc and plain comments, package lines, and names drawn from Java's keywords, {@code
 * java.lang} types and the generated code's own identifiers. Each {@link Kind} stresses one
 * shape that broke code generation once; {@link Kind#MUTATION} edits the files of {@code
 * examples/} so that they stay valid; {@link Kind#SHAPED} writes convolutional networks over
 * the shaped tensors of version 2.
 *
 * <p>Every spec is meant to be accepted by {@code Compiler.check} ({@code RandomSpecsTest}): shapes
 * agree by construction, a loss depends on a parameter, {@code l2(weights)} appears only where
 * there are weights, dropout only in definitions, package names are valid, and a function takes
 * one more argument where an expression needs a vector it has not got. Values are kept in the domain of their functions by
 * construction ({@code log} and {@code sqrt} of positive expressions, division by expressions
 * bounded away from zero), so that a generated class that computes NaN for finite inputs is a
 * finding, not noise.
 *
 * <p>Every draw comes from the generator passed in, so a spec is a function of its seed and of
 * {@code unique}, the token that makes its Java package unique within a batch of specs compiled
 * together.
 */
public final class RandomSpecs {
    /** The family of shapes a spec is drawn from. */
    public enum Kind {
        /** Any mix of everything below, at small sizes. */
        MIXED,
        /** Inference-only networks with layer sizes around the unrolling thresholds. */
        INFERENCE_SIZES,
        /** Dropout at the input, between layers, as the output and after wide layers. */
        DROPOUT,
        /** Parameters (vectors and matrices) as the input of layers and products. */
        PARAM_LAYER_INPUT,
        /** Every name from Java keywords, {@code java.lang} types and generated identifiers. */
        JAVA_NAMES,
        /** Doc comments and file names with {@code * /}, backslashes and unicode escapes. */
        COMMENTS,
        /** Long sums, long chains of definitions, many parameters, many stacked layers. */
        LONG,
        /** Deeply nested expressions. */
        DEEP,
        /** Float networks (their double twin is checked against them). */
        FLOAT,
        /** Functions only. */
        FUNCTIONS,
        /** An example file of {@code examples/} with edits that keep it valid. */
        MUTATION,
        /**
         * Convolutional networks over signals and images (some ending in recurrent layers that read
         * a signal as a sequence): convolutions, pools, slices, concat, layer norms and
         * reshape with random geometry, then a dense layer (of the features, sometimes joined with
         * an embedding of ids from an input) and a loss.
         */
        SHAPED
    }

    /** A generated spec: its kind, the source name it is compiled under, and its text. */
    public record Spec(Kind kind, String fileName, String text) {
        @Override
        public String toString() {
            return kind + " spec " + fileName + ":\n" + text;
        }
    }

    /**
     * How big {@link Kind#LONG} and {@link Kind#DEEP} specs get: 1 keeps a CI run bounded, larger
     * values (a campaign) reach the sizes the language promises.
     */
    public record Scale(int factor) {
        public static final Scale CI = new Scale(1);
        public static final Scale CAMPAIGN = new Scale(4);
    }

    private static final Set<String> NN_KEYWORDS = Set.of(
            "package",
            "network",
            "function",
            "input",
            "target",
            "param",
            "const",
            "output",
            "loss",
            "optimizer",
            "precision",
            "seed",
            "return");

    /** Builtin words of the language: valid names, but a name hides the builtin, so rarely drawn. */
    private static final Set<String> NN_BUILTINS = Set.of(
            "dense",
            "rbf",
            "dropout",
            "identity",
            "sigmoid",
            "logistic",
            "tanh",
            "relu",
            "leaky_relu",
            "elu",
            "softplus",
            "gaussian",
            "step",
            "exp",
            "log",
            "sqrt",
            "abs",
            "sin",
            "cos",
            "square",
            "min",
            "max",
            "softmax",
            "log_softmax",
            "sum",
            "mean",
            "dot",
            "norm2",
            "mse",
            "sse",
            "cross_entropy",
            "binary_cross_entropy",
            "l1",
            "l2",
            "weights",
            "zeros",
            "ones",
            "constant",
            "uniform",
            "normal",
            "glorot_uniform",
            "xavier",
            "glorot_normal",
            "he_uniform",
            "he_normal",
            "he",
            "lecun_normal",
            "sgd",
            "adagrad",
            "rmsprop",
            "adam",
            "lr",
            "momentum",
            "nesterov",
            "eps",
            "rho",
            "beta1",
            "beta2",
            "clip_value",
            "clip_norm",
            "activation",
            "init",
            "bias",
            "alpha",
            "float",
            "double",
            "true",
            "false");

    static final List<String> JAVA_KEYWORDS = List.of(
            "abstract",
            "assert",
            "boolean",
            "break",
            "byte",
            "case",
            "catch",
            "char",
            "class",
            "continue",
            "default",
            "do",
            "double",
            "else",
            "enum",
            "extends",
            "final",
            "finally",
            "float",
            "for",
            "goto",
            "if",
            "implements",
            "import",
            "instanceof",
            "int",
            "interface",
            "long",
            "native",
            "new",
            "private",
            "protected",
            "public",
            "short",
            "static",
            "strictfp",
            "super",
            "switch",
            "synchronized",
            "this",
            "throw",
            "throws",
            "transient",
            "try",
            "void",
            "volatile",
            "while",
            "true",
            "false",
            "null",
            "_",
            "var",
            "yield",
            "record",
            "sealed",
            "permits",
            "exports",
            "module",
            "open",
            "requires",
            "with",
            "to");

    static final List<String> JAVA_LANG_TYPES = List.of(
            "String",
            "Math",
            "StrictMath",
            "Double",
            "Float",
            "Integer",
            "Long",
            "Object",
            "System",
            "Class",
            "Override",
            "Deprecated",
            "SuppressWarnings",
            "SafeVarargs",
            "FunctionalInterface",
            "Thread",
            "Runtime",
            "Exception",
            "RuntimeException",
            "Error",
            "Throwable",
            "Iterable",
            "Number",
            "Boolean",
            "Character",
            "Void",
            "Record",
            "Enum",
            "Comparable",
            "Cloneable",
            "AutoCloseable",
            "Byte",
            "Short",
            "IllegalArgumentException",
            "IllegalStateException",
            "ArithmeticException",
            "CharSequence",
            "StringBuilder",
            "Process",
            "Module",
            "Package",
            "ClassLoader");

    /** Types and identifiers the generated code refers to that no golden file happens to show. */
    static final List<String> GENERATED_NAMES = List.of(
            "List",
            "Arrays",
            "Parts",
            "Initializers",
            "ParameterFile",
            "PartRunner",
            "NonFiniteTrainingException",
            "Network",
            "TrainableNetwork",
            "SeededRandom",
            "InputStream",
            "OutputStream",
            "IOException",
            "DataInputStream",
            "DataOutputStream",
            "Objects",
            "ACCUMULATE",
            "src",
            "dst",
            "grad",
            "xs",
            "ys",
            "n",
            "out",
            "outs",
            "x",
            "in",
            "i",
            "j",
            "k",
            "r",
            "row",
            "rows",
            "col",
            "s",
            "b",
            "w",
            "t",
            "t1",
            "t2",
            "t3",
            "value",
            "derivative",
            "gradient",
            "predict",
            "trainStep",
            "copy",
            "save",
            "load",
            "name",
            "parameterCount",
            "getParameters",
            "setParameters",
            "hashCode",
            "equals",
            "toString",
            "getClass",
            "clone",
            "finalize",
            "notify",
            "wait",
            "INPUT_SIZE",
            "OUTPUT_SIZE",
            "TARGET_SIZE",
            "PARAMETER_COUNT",
            "PARAMETER_NAMES",
            "PARAMETER_SHAPES",
            "requireLength",
            "requireRows",
            "threads",
            "setThreads",
            "inputLayerSplit",
            "inputPartials",
            "tileRow",
            "inputDeltas",
            "step_count",
            "random");

    private static final List<String> PLAIN_NAMES = List.of(
            "x", "y", "z", "h", "h1", "h2", "a", "b", "c", "u", "v", "w", "W", "W1", "b1", "out", "hid", "feat",
            "logits", "probs", "score", "Net", "Model", "F", "G");

    /** Every name this class draws from when asked for a "hostile" one, generated identifiers included. */
    private static final List<String> HOSTILE_NAMES = hostileNames();

    private static final List<String> ACTIVATIONS = List.of(
            "identity",
            "sigmoid",
            "logistic",
            "tanh",
            "relu",
            "leaky_relu",
            "elu",
            "softplus",
            "gaussian",
            "step",
            "exp",
            "log",
            "sqrt",
            "abs",
            "sin",
            "cos",
            "square");

    /** Activations that are finite on any finite input. */
    private static final List<String> TOTAL_ACTIVATIONS = List.of(
            "identity",
            "sigmoid",
            "logistic",
            "tanh",
            "relu",
            "leaky_relu",
            "elu",
            "softplus",
            "gaussian",
            "step",
            "abs",
            "sin",
            "cos",
            "square");

    private static final List<String> MATRIX_INITS =
            List.of("glorot_uniform", "xavier", "glorot_normal", "he_uniform", "he_normal", "he", "lecun_normal");

    /** Sizes around the thresholds where code generation switches between unrolled and looped code. */
    private static final int[] THRESHOLD_SIZES = {
        1, 2, 3, 4, 7, 8, 9, 15, 16, 17, 24, 25, 31, 32, 33, 48, 63, 64, 65, 100, 127, 128, 129, 200, 256, 257
    };

    /** Text for comments: what must never become code or an escape in the generated Java. */
    private static final List<String> COMMENT_TEXTS = List.of(
            "ends */ early",
            "*/ class Injected {} /*",
            "see C:\\users\\me",
            "a unicode escape \\u0041 and a broken one \\u",
            "\\uuuu002a\\u002f",
            "back\\slash\\",
            "{@code x} <b>bold</b> & <i>",
            "@param nothing @return nothing",
            "/* nested /* open",
            "\"quoted\" 'single' `tick`",
            "percent %s %d %n $1 $N $L $T $$",
            "non-ASCII é ü ∑ 猫",
            "trailing backslash \\",
            "*/",
            "/**/",
            "// slashes //");

    private final RandomGenerator random;
    private final String unique;
    private final Scale scale;
    private Kind kind;

    private RandomSpecs(RandomGenerator random, String unique, Scale scale) {
        this.random = random;
        this.unique = unique;
        this.scale = scale;
    }

    /**
     * A spec of a kind drawn at random.
     *
     * @param unique a Java identifier, unique among specs compiled together; it ends every package
     *     line the spec has (a spec without one is compiled with a package that holds it too)
     */
    public static Spec random(RandomGenerator random, String unique, Scale scale) {
        Kind[] kinds = Kind.values();
        return of(kinds[random.nextInt(kinds.length)], random, unique, scale);
    }

    /** A spec of the given kind. */
    public static Spec of(Kind kind, RandomGenerator random, String unique, Scale scale) {
        RandomSpecs specs = new RandomSpecs(random, unique, scale);
        specs.kind = kind;
        return kind == Kind.MUTATION ? specs.mutation() : new Spec(kind, specs.fileName(), specs.file());
    }

    // ------------------------------------------------------------------------------------------
    // Files and declarations

    private String fileName() {
        if (kind == Kind.COMMENTS && chance(0.5)) {
            return pick(List.of(
                    "C:\\users\\me\\spec.nn",
                    "dir\\unit\\spec.nn",
                    "odd*/name.nn",
                    "path\\u0041\\x.nn",
                    "sp ace/é.nn",
                    "a\\\\b.nn"));
        }
        return "spec.nn";
    }

    private String file() {
        StringBuilder text = new StringBuilder();
        if (chance(kind == Kind.COMMENTS ? 0.8 : 0.2)) {
            text.append(comment()).append('\n');
        }
        if (chance(0.5)) {
            text.append("package ").append(packageName()).append(";\n");
        }
        Set<String> declared = new HashSet<>();
        int count = kind == Kind.JAVA_NAMES || kind == Kind.FUNCTIONS ? 1 + random.nextInt(3) : 1 + random.nextInt(2);
        if (kind == Kind.LONG || kind == Kind.DEEP) {
            count = 1;
        }
        for (int i = 0; i < count; i++) {
            String name = declarationName(declared);
            if (chance(kind == Kind.COMMENTS ? 0.9 : 0.2)) {
                text.append(docComment()).append('\n');
            }
            boolean function = kind == Kind.FUNCTIONS || (chance(0.3) && kind != Kind.FLOAT && kind != Kind.LONG);
            if (kind == Kind.SHAPED) {
                text.append(new Shaped().network(name));
            } else if (kind == Kind.LONG) {
                text.append(longDeclaration(name));
            } else if (kind == Kind.DEEP) {
                text.append(chance(0.5) ? deepFunction(name) : deepNetwork(name));
            } else if (function) {
                text.append(new Body(true).function(name));
            } else {
                text.append(new Body(false).network(name));
            }
            text.append('\n');
        }
        return text.toString();
    }

    /**
     * A package line's name: segments that look like the platform's and {@code java.lang}'s
     * type names, but valid: no Java keyword (NN0212) and no {@code java} or {@code javax} at the
     * start (NN0214), which the diagnostics corpus covers.
     */
    private String packageName() {
        List<String> segments = new ArrayList<>();
        int count = random.nextInt(3);
        for (int i = 0; i < count; i++) {
            segments.add(
                    switch (random.nextInt(6)) {
                        case 0 -> pick(i == 0 ? List.of("jdk", "sun", "com", "org") : List.of("java", "javax", "lang"));
                        case 1 ->
                            pick(HOSTILE_NAMES.stream()
                                    .filter(n -> !JAVA_KEYWORDS.contains(n))
                                    .filter(n -> !segments.isEmpty() || !(n.equals("java") || n.equals("javax")))
                                    .toList());
                        case 2 -> pick(JAVA_LANG_TYPES);
                        default -> pick(List.of("models", "com", "example", "nn", "gen", "p"));
                    });
        }
        segments.add(unique);
        return String.join(".", segments);
    }

    private String declarationName(Set<String> declared) {
        for (int attempt = 0; ; attempt++) {
            String name = switch (kind == Kind.JAVA_NAMES ? 1 + random.nextInt(2) : random.nextInt(4)) {
                case 1 -> pick(JAVA_LANG_TYPES);
                case 2 -> pick(GENERATED_NAMES);
                default -> pick(List.of("Net", "Model", "F", "G", "Scorer", "Tiny", "Deep", "N"));
            };
            if (Character.isUpperCase(name.charAt(0)) && declared.add(name.toLowerCase(Locale.ROOT))) {
                return name;
            }
            if (attempt > 20) {
                String fallback = "Decl" + declared.size();
                declared.add(fallback.toLowerCase(Locale.ROOT));
                return fallback;
            }
        }
    }

    private String docComment() {
        return "/// " + (chance(0.5) ? pick(COMMENT_TEXTS) : "A model.");
    }

    private String comment() {
        String text = pick(COMMENT_TEXTS);
        if (chance(0.5) || text.contains("*/")) {
            return "// " + text;
        }
        return "/* " + text + " */";
    }

    // ------------------------------------------------------------------------------------------
    // Shapes and values

    /** A static shape: a scalar ({@code dims} empty), a vector or a matrix. */
    private record Shape(int... dims) {
        static final Shape SCALAR = new Shape();

        static Shape vector(int n) {
            return new Shape(n);
        }

        static Shape matrix(int rows, int cols) {
            return new Shape(rows, cols);
        }

        int rank() {
            return dims.length;
        }

        int size() {
            int size = 1;
            for (int d : dims) {
                size *= d;
            }
            return size;
        }

        boolean same(Shape other) {
            return java.util.Arrays.equals(dims, other.dims);
        }

        String brackets() {
            if (dims.length == 0) {
                return "";
            }
            StringBuilder text = new StringBuilder("[");
            for (int i = 0; i < dims.length; i++) {
                text.append(i == 0 ? "" : ", ").append(dims[i]);
            }
            return text.append(']').toString();
        }
    }

    private enum Role {
        INPUT,
        TARGET,
        PARAM,
        CONST,
        DEFINITION,
        ARGUMENT
    }

    /** A named value; {@code trainable}: whether it depends on a parameter (a layer's or a {@code param}). */
    private record Value(String name, Shape shape, Role role, boolean trainable) {}

    /**
     * One declaration being written: its names, the statements before the definitions (inputs,
     * parameters, consts, added as definitions need them) and the definitions.
     */
    private final class Body {
        final boolean function;
        final List<Value> values = new ArrayList<>();
        final Set<String> names = new HashSet<>();
        final List<String> header = new ArrayList<>();
        final List<String> definitions = new ArrayList<>();
        final List<String> layerDefinitions = new ArrayList<>();
        final List<String> matrixParams = new ArrayList<>();
        int depthBudget = 3;
        /** A function's arguments, declared as its expressions need them. */
        final List<String> arguments = new ArrayList<>();
        /** Whether the expression being written reads a trainable value. */
        boolean readsTrainable;
        /** Whether a definition's expression is being written: the one place dropout may appear in. */
        boolean inDefinition;
        /** Whether the network has a weight matrix, which {@code l2(weights)} needs. */
        boolean hasWeights;

        Body(boolean function) {
            this.function = function;
        }

        // -------------------------------------------------------------------- names

        String freshName() {
            for (int attempt = 0; attempt < 50; attempt++) {
                String name = candidateName();
                if (!NN_KEYWORDS.contains(name) && names.add(name)) {
                    return name;
                }
            }
            String name = "v" + names.size();
            while (!names.add(name)) {
                name = name + "_";
            }
            return name;
        }

        private String candidateName() {
            double hostile = kind == Kind.JAVA_NAMES ? 0.9 : 0.25;
            if (!layerDefinitions.isEmpty() && chance(0.05)) {
                return pick(layerDefinitions)
                        + pick(List.of("_weight", "_bias", "_centers", "_widths", "$weight"))
                                .replace("$", "_");
            }
            if (chance(hostile)) {
                String name = pick(HOSTILE_NAMES);
                return NN_BUILTINS.contains(name) && !chance(0.1) ? pick(JAVA_KEYWORDS) : name;
            }
            return pick(PLAIN_NAMES);
        }

        Value add(String name, Shape shape, Role role) {
            return add(name, shape, role, role == Role.PARAM);
        }

        Value add(String name, Shape shape, Role role, boolean trainable) {
            Value value = new Value(name, shape, role, trainable);
            values.add(value);
            return value;
        }

        /** A new argument of a function, for an expression that needs a value of its shape. */
        Value argument(Shape shape) {
            String name = freshName();
            arguments.add(name + shape.brackets());
            return add(name, shape, Role.ARGUMENT);
        }

        // -------------------------------------------------------------------- declarations

        String function(String name) {
            int argumentCount = 1 + random.nextInt(4);
            for (int i = 0; i < argumentCount; i++) {
                argument(chance(0.6) ? Shape.SCALAR : Shape.vector(1 + random.nextInt(5)));
            }
            if (chance(0.4)) {
                String body = expression(Shape.SCALAR, 3);
                return signature(name) + " = " + body + ";";
            }
            StringBuilder block = new StringBuilder(" {\n");
            if (chance(0.4)) {
                block.append("    const ").append(constant()).append(";\n");
            }
            int count = 1 + random.nextInt(4);
            for (int i = 0; i < count; i++) {
                Shape shape = anyShape();
                String expression = expression(shape, 2);
                String local = freshName();
                add(local, shape, Role.DEFINITION);
                block.append(maybeDoc("    "))
                        .append("    ")
                        .append(local)
                        .append(" = ")
                        .append(expression)
                        .append(";\n");
            }
            block.append("    return ").append(expression(Shape.SCALAR, 2)).append(";\n}");
            // The signature comes last: the body may have declared more arguments.
            return signature(name) + block;
        }

        private String signature(String name) {
            return "function " + name + "(" + String.join(", ", arguments) + ")";
        }

        String network(String name) {
            boolean trainable = kind != Kind.INFERENCE_SIZES && chance(0.65);
            int inputCount = 1 + random.nextInt(kind == Kind.JAVA_NAMES ? 3 : 2);
            for (int i = 0; i < inputCount; i++) {
                Shape shape = i == 0 || chance(0.7) ? Shape.vector(size()) : Shape.SCALAR;
                String input = freshName();
                add(input, shape, Role.INPUT);
                header.add("input " + input + shape.brackets() + ";");
            }
            int paramCount = kind == Kind.PARAM_LAYER_INPUT ? 1 + random.nextInt(3) : random.nextInt(3);
            for (int i = 0; i < paramCount; i++) {
                param(chance(0.6) ? Shape.vector(size()) : Shape.matrix(size(), size()));
            }
            if (chance(0.4)) {
                header.add("const " + constant() + ";");
            }
            int count = 1 + random.nextInt(kind == Kind.INFERENCE_SIZES ? 3 : 5);
            Value last = null;
            for (int i = 0; i < count; i++) {
                last = definition(i == 0 || chance(0.6));
            }
            if (kind == Kind.DROPOUT) {
                last = dropoutOf(last);
            }
            List<String> tail = new ArrayList<>();
            if (last.shape().rank() != 1 || (trainable && !last.trainable())) {
                // The output is a vector, and a loss must depend on a parameter.
                last = definition(true);
            }
            Value output = last;
            tail.add("output " + (chance(0.9) ? output.name() : expression(output.shape(), 1)) + ";");
            if (trainable) {
                tail.add("loss " + loss(output) + ";");
                tail.add("optimizer " + optimizer() + ";");
            }
            if (kind == Kind.FLOAT || chance(0.15)) {
                tail.add(kind == Kind.FLOAT ? "precision float;" : "precision double;");
            }
            if (chance(0.3)) {
                tail.add("seed " + random.nextLong(0, Long.MAX_VALUE) + ";");
            }
            List<String> statements = new ArrayList<>(header);
            statements.addAll(definitions);
            for (String statement : tail) {
                statements.add(random.nextInt(statements.size() + 1), statement);
            }
            // The loss needs its targets declared somewhere; their place is free like any other.
            StringBuilder text = new StringBuilder("network ").append(name).append(" {\n");
            for (String statement : statements) {
                if (chance(kind == Kind.COMMENTS ? 0.3 : 0.05)) {
                    text.append("    ").append(comment()).append('\n');
                }
                text.append(maybeDoc("    ")).append("    ").append(statement).append('\n');
            }
            return text.append("}").toString();
        }

        private String maybeDoc(String indent) {
            return chance(kind == Kind.COMMENTS ? 0.3 : 0.03) ? indent + docComment() + "\n" : "";
        }

        Value param(Shape shape) {
            String name = freshName();
            String init = "";
            if (chance(0.6)) {
                init = " = " + initializer(shape.rank() == 2);
            }
            header.add("param " + name + shape.brackets() + init + ";");
            if (shape.rank() == 2) {
                matrixParams.add(name);
                hasWeights = true;
            }
            readsTrainable = true;
            return add(name, shape, Role.PARAM);
        }

        String constant() {
            String name = freshName();
            String value = pick(List.of("0.5", "2", "2 ^ 3", "1 / 4", "1e-2", "-1 + 3", "(1 + 2) * 0.25", "2.5E+0"));
            add(name, Shape.SCALAR, Role.CONST);
            return name + " = " + value;
        }

        /** One definition statement; a layer one when {@code layer}. */
        Value definition(boolean layer) {
            String name;
            String expression;
            Shape shape;
            readsTrainable = false;
            if (layer) {
                Value input = vectorValue();
                int units = size();
                shape = Shape.vector(units);
                expression = layer(input, units);
                name = freshName();
                layerDefinitions.add(name);
            } else {
                shape = chance(0.7) ? vectorShape() : anyShape();
                inDefinition = !function;
                expression = expression(shape, depthBudget);
                inDefinition = false;
                name = freshName();
            }
            definitions.add(name + " = " + expression + ";");
            return add(name, shape, Role.DEFINITION, layer || readsTrainable);
        }

        Value dropoutOf(Value value) {
            String name = freshName();
            definitions.add(name + " = dropout(" + value.name() + ", " + rate() + ");");
            return add(name, value.shape(), Role.DEFINITION, value.trainable());
        }

        String layer(Value input, int units) {
            String x = input.name();
            if (chance(kind == Kind.DROPOUT ? 0.4 : 0.1)) {
                x = "dropout(" + x + ", " + rate() + ")";
            }
            String call;
            if (chance(0.15)) {
                call = "rbf(" + x + ", " + units + ")";
            } else {
                call = dense(x, units);
            }
            return switch (random.nextInt(kind == Kind.DROPOUT ? 3 : 8)) {
                case 0 -> "dropout(" + call + ", " + rate() + ")";
                case 1 -> pick(TOTAL_ACTIVATIONS) + "(" + call + ")";
                default -> call;
            };
        }

        String dense(String x, int units) {
            hasWeights = true;
            List<String> arguments = new ArrayList<>(List.of(x, Integer.toString(units)));
            String activation = chance(0.1) ? pick(ACTIVATIONS) : pick(TOTAL_ACTIVATIONS);
            String init = initializer(true);
            String bias = chance(0.2) ? "false" : "true";
            boolean positional = chance(0.2);
            int options = random.nextInt(4);
            String[] keys = {"activation", "init", "bias"};
            String[] given = {activation, init, bias};
            for (int i = 0; i < options; i++) {
                if (positional) {
                    arguments.add(given[i]);
                } else if (chance(0.7)) {
                    arguments.add(keys[i] + " = " + given[i]);
                }
            }
            return "dense(" + String.join(", ", arguments) + ")";
        }

        String rate() {
            return pick(List.of("0", "0.1", "0.5", "0.25", "0.9", "1 / 3"));
        }

        String initializer(boolean matrix) {
            List<String> common = List.of(
                    "zeros",
                    "ones",
                    "constant(0.5)",
                    "constant(-1)",
                    "uniform(-0.5, 0.5)",
                    "uniform(0, 1)",
                    "normal(0, 0.5)",
                    "normal(1, 2)");
            return matrix && chance(0.6) ? pick(MATRIX_INITS) : pick(common);
        }

        String loss(Value output) {
            Shape shape = output.shape();
            // Dropout between the output and the loss needs a definition of its own.
            String p = kind == Kind.DROPOUT && chance(0.3) ? dropoutOf(output).name() : output.name();
            String y = freshName();
            String base;
            boolean vector = shape.rank() == 1;
            boolean needsTarget = true;
            switch (random.nextInt(7)) {
                case 0 -> base = "mse(" + p + ", " + y + ")";
                case 1 -> base = "sse(" + p + ", " + y + ")";
                case 2 ->
                    base = vector && shape.dims()[0] >= 2
                            ? "cross_entropy(softmax(" + p + "), " + y + ")"
                            : "binary_cross_entropy(sigmoid(" + p + "), " + y + ")";
                case 3 -> base = "binary_cross_entropy(sigmoid(" + p + "), " + y + ")";
                case 4 -> base = "sum(square(" + p + " - " + y + "))";
                case 5 -> base = "mean(abs(" + p + " - " + y + ")) + norm2(" + p + ") * 0.01";
                default -> {
                    base = "norm2(" + p + ")";
                    needsTarget = false;
                }
            }
            if (needsTarget) {
                add(y, shape, Role.TARGET);
                header.add(random.nextInt(header.size() + 1), "target " + y + shape.brackets() + ";");
            }
            StringBuilder loss = new StringBuilder(base);
            if (hasWeights && chance(0.3)) {
                loss.append(" + ").append(pick(List.of("1e-4", "0.01", "0.5"))).append(" * l2(weights)");
            }
            if (!matrixParams.isEmpty() && chance(0.3)) {
                loss.append(" + 1e-3 * ")
                        .append(pick(List.of("l1", "l2")))
                        .append('(')
                        .append(pick(matrixParams))
                        .append(')');
            }
            if (chance(0.3)) {
                loss.append(" + ").append(expression(Shape.SCALAR, 2)).append(" * 0.1");
            }
            return loss.toString();
        }

        String optimizer() {
            List<String> arguments = new ArrayList<>();
            String name;
            switch (random.nextInt(6)) {
                case 0 -> {
                    name = "sgd";
                    arguments.add("lr = " + pick(List.of("0.1", "0.01", "1e-3")));
                }
                case 1 -> {
                    name = "sgd";
                    arguments.add("lr = 0.05");
                    arguments.add("momentum = " + pick(List.of("0.9", "0.5", "0")));
                    if (!arguments.get(1).endsWith("= 0") && chance(0.5)) {
                        arguments.add("nesterov = " + pick(List.of("true", "false")));
                    }
                }
                case 2 -> {
                    name = "adagrad";
                    arguments.add("lr = 0.1");
                    if (chance(0.5)) {
                        arguments.add("eps = 1e-6");
                    }
                }
                case 3 -> {
                    name = "rmsprop";
                    arguments.add("lr = 0.01");
                    if (chance(0.5)) {
                        arguments.add("rho = " + pick(List.of("0", "0.5", "0.99")));
                    }
                }
                default -> {
                    name = "adam";
                    if (chance(0.2)) {
                        return "adam";
                    }
                    if (chance(0.7)) {
                        arguments.add("lr = " + pick(List.of("0.001", "0.05")));
                    }
                    if (chance(0.4)) {
                        arguments.add("beta1 = " + pick(List.of("0", "0.8", "0.9")));
                        arguments.add("beta2 = " + pick(List.of("0", "0.99", "0.999")));
                    }
                    if (chance(0.3)) {
                        arguments.add("eps = 1e-7");
                    }
                }
            }
            if (chance(0.25)) {
                arguments.add("clip_value = " + pick(List.of("1", "0.5", "10")));
            }
            if (chance(0.25)) {
                arguments.add("clip_norm = " + pick(List.of("1", "5.0", "100")));
            }
            return name + "(" + String.join(", ", arguments) + ")";
        }

        // -------------------------------------------------------------------- expressions

        int size() {
            if (kind == Kind.INFERENCE_SIZES && chance(0.06)) {
                // Past every threshold: large enough that inference is split into parts.
                return pick(List.of(300, 513, 700));
            }
            if (kind == Kind.INFERENCE_SIZES || kind == Kind.DROPOUT || kind == Kind.PARAM_LAYER_INPUT) {
                return THRESHOLD_SIZES[random.nextInt(THRESHOLD_SIZES.length)];
            }
            return chance(0.1) ? THRESHOLD_SIZES[random.nextInt(THRESHOLD_SIZES.length)] : 1 + random.nextInt(6);
        }

        Shape anyShape() {
            return switch (random.nextInt(function ? 2 : 5)) {
                case 0 -> Shape.SCALAR;
                case 1, 2, 3 -> vectorShape();
                default -> Shape.matrix(1 + random.nextInt(4), 1 + random.nextInt(4));
            };
        }

        Shape vectorShape() {
            List<Value> vectors = usable(v -> v.shape().rank() == 1);
            if (!vectors.isEmpty() && chance(0.8)) {
                return pick(vectors).shape();
            }
            return Shape.vector(function ? 1 + random.nextInt(5) : size());
        }

        Value vectorValue() {
            List<Value> vectors = usable(v -> v.shape().rank() == 1 && v.role() != Role.CONST);
            if (kind == Kind.PARAM_LAYER_INPUT) {
                List<Value> params = usable(v -> v.shape().rank() == 1 && v.role() == Role.PARAM);
                if (!params.isEmpty() && chance(0.6)) {
                    return pick(params);
                }
            }
            if (vectors.isEmpty()) {
                return param(Shape.vector(size()));
            }
            // Prefer the most recent values, so that layers stack.
            return chance(0.6) ? vectors.get(vectors.size() - 1) : pick(vectors);
        }

        List<Value> usable(Predicate<Value> filter) {
            return values.stream()
                    .filter(v -> v.role() != Role.TARGET)
                    .filter(filter)
                    .toList();
        }

        /** An expression of {@code shape}, nested at most {@code depth} deep. */
        String expression(Shape shape, int depth) {
            if (depth <= 0 || chance(0.25)) {
                return leaf(shape);
            }
            int choice = random.nextInt(shape.rank() == 0 ? 12 : 10);
            return switch (choice) {
                case 0, 1 -> unary(shape, depth);
                case 2, 3 ->
                    expression(shape, depth - 1) + " " + pick(List.of("+", "-", "*")) + " "
                            + expression(shape, depth - 1);
                case 4 -> broadcast(shape, depth);
                case 5 -> expression(shape, depth - 1) + " / " + positive(shape, depth - 1);
                case 6 ->
                    pick(List.of("min", "max")) + "(" + expression(shape, depth - 1) + ", "
                            + (chance(0.3) ? expression(Shape.SCALAR, depth - 1) : expression(shape, depth - 1)) + ")";
                case 7 -> power(shape, depth);
                case 8 -> product(shape, depth);
                case 9 ->
                    shape.rank() == 1 && shape.dims()[0] >= 2
                            ? pick(List.of("softmax", "log_softmax")) + "(" + expression(shape, depth - 1) + ")"
                            : "(" + (chance(0.5) ? "-" : "+") + expression(shape, depth - 1) + ")";
                default -> reduction(depth);
            };
        }

        // Every expression drawn is written out: one drawn and dropped could have read a parameter
        // that the text then does not (see readsTrainable).
        String unary(Shape shape, int depth) {
            if (inDefinition && chance(kind == Kind.DROPOUT ? 0.3 : 0.03)) {
                // Dropout anywhere in a definition's expression (a network allows it nowhere else).
                return "dropout(" + expression(shape, depth - 1) + ", " + rate() + ")";
            }
            return switch (random.nextInt(8)) {
                case 0 -> "log(" + positive(shape, depth - 1) + ")";
                case 1 -> "sqrt(" + positive(shape, depth - 1) + ")";
                case 2 -> "exp(" + bounded(shape, depth - 1) + ")";
                case 3 ->
                    "leaky_relu(" + expression(shape, depth - 1)
                            + pick(List.of(")", ", alpha = 0.2)", ", 0.1)", ", alpha = 0.01)"));
                case 4 -> "elu(" + expression(shape, depth - 1) + pick(List.of(")", ", alpha = 0.5)", ", 2)"));
                default -> pick(TOTAL_ACTIVATIONS) + "(" + expression(shape, depth - 1) + ")";
            };
        }

        /** An expression of {@code shape} whose every element is at least some positive bound. */
        String positive(Shape shape, int depth) {
            String e = expression(shape, Math.max(0, depth));
            return switch (random.nextInt(6)) {
                case 0 -> "(1 + square(" + e + "))";
                case 1 -> "(0.5 + sigmoid(" + e + "))";
                case 2 -> "(2 + sin(" + e + "))";
                case 3 -> "(1 + abs(" + e + "))";
                case 4 -> "exp(tanh(" + e + "))";
                default -> "(softplus(" + e + ") + 0.1)";
            };
        }

        /** An expression of {@code shape} that stays small, for the argument of {@code exp}. */
        String bounded(Shape shape, int depth) {
            int form = random.nextInt(6);
            if (form == 5) {
                return leaf(shape);
            }
            String e = expression(shape, Math.max(0, depth));
            return switch (form) {
                case 0 -> "tanh(" + e + ")";
                case 1 -> "sin(" + e + ")";
                case 2 -> "-square(" + e + ")";
                case 3 -> "sigmoid(" + e + ")";
                default -> "gaussian(" + e + ")";
            };
        }

        String broadcast(Shape shape, int depth) {
            String scalar = expression(Shape.SCALAR, depth - 1);
            String other = expression(shape, depth - 1);
            String op = pick(List.of("+", "-", "*"));
            return chance(0.5) ? scalar + " " + op + " " + other : other + " " + op + " " + scalar;
        }

        String power(Shape shape, int depth) {
            String exponent = pick(List.of("2", "3", "1", "0.5", "-1", "1.5", "(1 + 1)", "2^-1"));
            boolean needsPositive = !(exponent.equals("2")
                    || exponent.equals("3")
                    || exponent.equals("1")
                    || exponent.equals("(1 + 1)"));
            String base = needsPositive ? positive(shape, depth - 1) : "(" + expression(shape, depth - 1) + ")";
            return base + " ^ " + exponent;
        }

        /** A product giving {@code shape}: a matrix times a vector or a matrix. */
        String product(Shape shape, int depth) {
            if (shape.rank() == 0) {
                Shape vector = vectorShape();
                String left = expression(vector, depth - 1);
                return "dot(" + left + ", " + leaf(vector) + ")";
            }
            if (function) {
                // Arguments are scalars and vectors: a dot product scales the vector instead.
                Shape vector = vectorShape();
                String left = expression(vector, depth - 1);
                return "dot(" + left + ", " + leaf(vector) + ") * " + leaf(shape);
            }
            // In parentheses: '@' binds no tighter than '*', so 'a * A @ v' would multiply a and A.
            int inner = 1 + random.nextInt(4);
            if (shape.rank() == 1) {
                String matrix = leaf(Shape.matrix(shape.dims()[0], inner));
                return "(" + matrix + " @ "
                        + (chance(0.5)
                                ? leaf(Shape.vector(inner))
                                : "(" + expression(Shape.vector(inner), depth - 1) + ")")
                        + ")";
            }
            return "(" + leaf(Shape.matrix(shape.dims()[0], inner)) + " @ " + leaf(Shape.matrix(inner, shape.dims()[1]))
                    + ")";
        }

        String reduction(int depth) {
            Shape inner = chance(0.8) ? vectorShape() : anyShape();
            if (inner.rank() == 1 && chance(0.3)) {
                String indexed = chance(0.5) || inner.dims()[0] < 2
                        ? leaf(inner)
                        : pick(List.of("softmax", "log_softmax")) + "(" + expression(inner, depth - 1) + ")";
                return indexed + "[" + random.nextInt(inner.dims()[0]) + "]";
            }
            return pick(List.of("sum", "mean", "norm2")) + "(" + expression(inner, depth - 1) + ")";
        }

        /** A name or literal of {@code shape}, declaring a parameter (or in functions an operation) when none fits. */
        String leaf(Shape shape) {
            List<Value> fitting = usable(v -> v.shape().same(shape));
            if (shape.rank() == 0 && (fitting.isEmpty() || chance(0.4))) {
                return pick(List.of("0.5", "2", "1", "3", "0.25", "1e-1", "1.5"));
            }
            if (!fitting.isEmpty() && (function || chance(0.85))) {
                Value value = pick(fitting);
                readsTrainable |= value.trainable();
                return value.name();
            }
            // Functions have no parameters: they take one more argument of the shape.
            return function ? argument(shape).name() : param(shape).name();
        }
    }

    // ------------------------------------------------------------------------------------------
    // Shaped networks

    /** Words a shaped network calls: a definition of that name would hide the builtin. */
    private static final Set<String> SHAPED_WORDS = Set.of(
            "conv1d",
            "conv2d",
            "max_pool1d",
            "max_pool2d",
            "avg_pool1d",
            "avg_pool2d",
            "global_avg_pool",
            "global_max_pool",
            "reshape",
            "flatten",
            "concat",
            "rnn",
            "gru",
            "lstm",
            "batch_norm",
            "momentum",
            "layer_norm",
            "embedding",
            "eps",
            "same",
            "kernel",
            "stride",
            "padding",
            "dilation",
            "size");

    /**
     * A network over a signal {@code [C, L]} or an image {@code [C, H, W]}: convolutions with
     * random geometry, pools, slices, concatenations and reshapes, then a dense layer and a loss.
     * Every window is chosen so that its output, by PyTorch's formula, is not empty.
     */
    private final class Shaped {
        final Body body = new Body(false);
        final List<String> statements = new ArrayList<>();
        final int spatial = 1 + random.nextInt(2);
        /** The spatial dimensions of the values being convolved: {@code spatial}, or 1 after an image became a signal. */
        int rank = spatial;
        /** The shape of the last convolution written. */
        int[] convolved;

        /** A value: its name or expression, and its shape {@code [channels, spatial...]} or smaller. */
        record Tensor(String text, int[] dims) {
            int channels() {
                return dims[0];
            }

            int size() {
                int size = 1;
                for (int d : dims) {
                    size *= d;
                }
                return size;
            }
        }

        String name() {
            for (int attempt = 0; ; attempt++) {
                String name = body.freshName();
                if (!NN_BUILTINS.contains(name) && !SHAPED_WORDS.contains(name) || attempt > 30) {
                    return NN_BUILTINS.contains(name) || SHAPED_WORDS.contains(name) ? name + "_" : name;
                }
            }
        }

        Tensor define(String expression, int[] dims) {
            String name = name();
            statements.add(name + " = " + expression + ";");
            return new Tensor(name, dims);
        }

        String network(String name) {
            int[] dims = spatial == 1
                    ? new int[] {1 + random.nextInt(3), 4 + random.nextInt(9)}
                    : new int[] {1 + random.nextInt(3), 3 + random.nextInt(6), 3 + random.nextInt(6)};
            String input = name();
            statements.add("input " + input + brackets(dims) + ";");
            Tensor x = start(new Tensor(input, dims));
            int convolutions = 1 + random.nextInt(3);
            for (int i = 0; i < convolutions; i++) {
                x = chance(0.2) ? branches(x) : define(convolution(x), convolved);
                if (chance(0.5)) {
                    x = pooled(x);
                }
                if (chance(0.15) && x.channels() >= 2) {
                    x = sliced(x);
                }
                if (chance(0.15) && x.size() >= 2) {
                    x = define("layer_norm(" + x.text() + (chance(0.3) ? ", eps = 0.001" : "") + ")", x.dims());
                }
                if (chance(0.2)) {
                    x = define(normalized(x.text()), x.dims());
                }
            }
            String features = chance(0.3) ? withEmbedding(features(x)) : features(x);
            if (chance(0.15)) {
                // The features (a vector), normalised per feature.
                String normalized = name();
                statements.add(normalized + " = " + normalized(features) + ";");
                features = normalized;
            }
            int units = 2 + random.nextInt(3);
            String outputName = name();
            String dense = body.dense(features, units);
            statements.add(outputName + " = " + dense + ";");
            statements.add("output " + outputName + ";");
            String target = name();
            statements.add(random.nextInt(2), "target " + target + "[" + units + "];");
            statements.add("loss "
                    + (chance(0.5)
                            ? "cross_entropy(softmax(" + outputName + "), " + target + ")"
                            : "mse(" + outputName + ", " + target + ")")
                    + (chance(0.2) ? " + 1e-3 * l2(weights)" : "")
                    + ";");
            statements.add("optimizer " + body.optimizer() + ";");
            if (chance(0.3)) {
                statements.add("precision float;");
            }
            StringBuilder text = new StringBuilder("network ").append(name).append(" {\n");
            for (String statement : statements) {
                text.append("    ").append(statement).append('\n');
            }
            return text.append("}").toString();
        }

        /** The input as it is, or rearranged before the first convolution. */
        Tensor start(Tensor x) {
            int c = x.channels();
            return switch (random.nextInt(8)) {
                case 0 -> {
                    // A second input joined along the channels.
                    int[] dims = x.dims().clone();
                    dims[0] = 1 + random.nextInt(2);
                    String other = name();
                    statements.add("input " + other + brackets(dims) + ";");
                    dims[0] += c;
                    yield define("concat(" + x.text() + ", " + other + ")", dims);
                }
                case 1 -> {
                    // One channel, put back as a one-channel tensor.
                    int[] dims = x.dims().clone();
                    dims[0] = 1;
                    yield define("reshape(" + x.text() + "[" + random.nextInt(c) + "], " + brackets(dims) + ")", dims);
                }
                case 2 -> {
                    // The channels and the rows of an image as the channels of a signal, or a
                    // signal's elements as one channel.
                    int[] dims =
                            spatial == 2 ? new int[] {x.dims()[0] * x.dims()[1], x.dims()[2]} : new int[] {1, x.size()};
                    Tensor reshaped = define("reshape(" + x.text() + ", " + brackets(dims) + ")", dims);
                    yield spatial == 2 ? asSignal(reshaped) : reshaped;
                }
                default -> x;
            };
        }

        /** {@code batch_norm} of {@code x}, with or without its options, maybe through an activation. */
        String normalized(String x) {
            List<String> arguments = new ArrayList<>(List.of(x));
            if (chance(0.3)) {
                arguments.add("momentum = " + pick(List.of("0", "0.5", "1")));
            }
            if (chance(0.3)) {
                arguments.add("eps = " + pick(List.of("0.001", "0.1")));
            }
            String call = "batch_norm(" + String.join(", ", arguments) + ")";
            return chance(0.5) ? pick(TOTAL_ACTIVATIONS) + "(" + call + ")" : call;
        }

        /** From here on the network is 1-D. */
        Tensor asSignal(Tensor x) {
            rank = 1;
            return x;
        }

        /** A convolution of {@code x}; its output shape is left in {@link #convolved}. */
        String convolution(Tensor x) {
            return convolution(x, 1 + random.nextInt(4), geometry(x, true));
        }

        String convolution(Tensor x, int filters, Window window) {
            convolved = window.outputs(x, filters);
            List<String> arguments = new ArrayList<>(List.of(x.text(), Integer.toString(filters), window.kernel()));
            window.options(arguments, true);
            if (chance(0.5)) {
                arguments.add("activation = " + pick(TOTAL_ACTIVATIONS));
            }
            if (chance(0.3)) {
                arguments.add("init = " + body.initializer(true));
            }
            if (chance(0.2)) {
                arguments.add("bias = false");
            }
            String call = (rank == 1 ? "conv1d(" : "conv2d(") + String.join(", ", arguments) + ")";
            return switch (random.nextInt(8)) {
                case 0 -> "dropout(" + call + ", " + pick(List.of("0.1", "0.5")) + ")";
                case 1 -> pick(TOTAL_ACTIVATIONS) + "(" + call + ")";
                default -> call;
            };
        }

        /** Two convolutions of the same geometry joined along their filters. */
        Tensor branches(Tensor x) {
            Window window = geometry(x, true);
            Tensor a = define(convolution(x, 1 + random.nextInt(3), window), convolved);
            Tensor b = define(convolution(x, 1 + random.nextInt(3), window), convolved);
            int[] dims = a.dims().clone();
            dims[0] += b.channels();
            return define("concat(" + a.text() + ", " + b.text() + ")", dims);
        }

        Tensor pooled(Tensor x) {
            Window window = geometry(x, false);
            String kind = chance(0.5) ? "max_pool" : "avg_pool";
            List<String> arguments = new ArrayList<>(List.of(x.text(), window.kernel()));
            window.options(arguments, false);
            String inner = chance(0.3) ? pick(TOTAL_ACTIVATIONS) + "(" + x.text() + ")" : x.text();
            arguments.set(0, inner);
            return define(kind + rank + "d(" + String.join(", ", arguments) + ")", window.outputs(x, x.channels()));
        }

        Tensor sliced(Tensor x) {
            int c = x.channels();
            int a = random.nextInt(c);
            int b = a + 1 + random.nextInt(c - a);
            int[] dims = x.dims().clone();
            dims[0] = b - a;
            // An omitted bound is the start or the end; one of them is always written.
            boolean openStart = a == 0 && chance(0.3);
            boolean openEnd = !openStart && b == c && chance(0.3);
            String slice = x.text() + "[" + (openStart ? "" : a) + ":" + (openEnd ? "" : b) + "]";
            return chance(0.5)
                    ? define("concat(" + slice + ", " + x.text() + ")", concatDims(dims, x))
                    : define(slice, dims);
        }

        int[] concatDims(int[] first, Tensor second) {
            int[] dims = first.clone();
            dims[0] += second.channels();
            return dims;
        }

        /** The vector the dense layer reads. */
        String features(Tensor x) {
            if (x.dims().length == 2 && chance(0.3)) {
                return recurrent(x);
            }
            return switch (random.nextInt(5)) {
                case 0 -> "global_avg_pool(" + x.text() + ")";
                case 1 -> "global_max_pool(" + x.text() + ")";
                case 2 -> "concat(global_avg_pool(" + x.text() + "), global_max_pool(" + x.text() + "))";
                case 3 -> "flatten(" + x.text() + "[" + random.nextInt(x.channels()) + "])";
                default -> "flatten(" + x.text() + ")";
            };
        }

        /**
         * {@code features} joined with an embedding of ids from an input of their own: a scalar,
         * a vector, a slice of one or a flattened matrix (AcceptedRule fills the ids in).
         */
        String withEmbedding(String features) {
            String ids = name();
            String lookup = ids;
            switch (random.nextInt(4)) {
                case 0 -> statements.add("input " + ids + ";");
                case 1 -> statements.add("input " + ids + "[" + (1 + random.nextInt(4)) + "];");
                case 2 -> {
                    int k = 2 + random.nextInt(3);
                    statements.add("input " + ids + "[" + k + "];");
                    lookup = ids + "[1:" + k + "]";
                }
                default -> {
                    statements.add("input " + ids + "[2, 2];");
                    lookup = "flatten(" + ids + ")";
                }
            }
            int count = 1 + random.nextInt(6);
            int dim = 1 + random.nextInt(3);
            Tensor e = define("embedding(" + lookup + ", " + count + ", " + dim + ")", new int[] {dim});
            return "concat(" + features + ", flatten(" + e.text() + "))";
        }

        /**
         * A recurrent layer over a 2-D value read as a sequence ({@code [C, L]}: {@code C} steps
         * of {@code L} features): its last state, or every state then flattened or read by a
         * second recurrent layer.
         */
        String recurrent(Tensor x) {
            int steps = x.dims()[0];
            int units = 1 + random.nextInt(4);
            if (!chance(0.4)) {
                return define(recurrentCall(x.text(), units, false), new int[] {units})
                        .text();
            }
            Tensor states = define(recurrentCall(x.text(), units, true), new int[] {steps, units});
            if (chance(0.5)) {
                return "flatten(" + states.text() + ")";
            }
            int next = 1 + random.nextInt(3);
            return define(recurrentCall(states.text(), next, false), new int[] {next})
                    .text();
        }

        String recurrentCall(String x, int units, boolean sequences) {
            String layer = pick(List.of("rnn", "gru", "lstm"));
            List<String> arguments = new ArrayList<>(List.of(x, Integer.toString(units)));
            if (layer.equals("rnn") && chance(0.5)) {
                arguments.add("activation = " + pick(List.of("tanh", "relu")));
            }
            if (sequences) {
                arguments.add("sequences = true");
            } else if (chance(0.2)) {
                arguments.add("sequences = false");
            }
            return layer + "(" + String.join(", ", arguments) + ")";
        }

        /**
         * A window over {@code x}'s spatial dimensions whose output is not empty: a convolution's
         * (with dilation, any padding or {@code same}) or a pool's (padding at most half the size).
         */
        Window geometry(Tensor x, boolean convolution) {
            int n = rank;
            boolean same = convolution && chance(0.25);
            boolean pairs = n == 2 && chance(0.5);
            int[] k = new int[n];
            int[] s = new int[n];
            int[] p = new int[n];
            int[] d = new int[n];
            for (int i = 0; i < (pairs ? n : 1); i++) {
                int in = x.dims()[1 + i];
                for (int attempt = 0; ; attempt++) {
                    k[i] = 1 + random.nextInt(convolution ? 4 : 3);
                    d[i] = convolution && chance(0.25) ? 2 : 1;
                    s[i] = same ? 1 : 1 + random.nextInt(3);
                    p[i] = convolution ? random.nextInt(3) : random.nextInt(k[i] / 2 + 1);
                    if (same || in + 2 * p[i] - d[i] * (k[i] - 1) - 1 >= 0) {
                        break;
                    }
                    if (attempt > 20) {
                        k[i] = 1;
                        d[i] = 1;
                        p[i] = 0;
                        break;
                    }
                }
            }
            if (!pairs) {
                for (int i = 1; i < n; i++) {
                    // One number for every dimension: it must fit each of them.
                    int in = x.dims()[1 + i];
                    if (!same && in + 2 * p[0] - d[0] * (k[0] - 1) - 1 < 0) {
                        k[0] = 1;
                        d[0] = 1;
                    }
                    k[i] = k[0];
                    s[i] = s[0];
                    p[i] = p[0];
                    d[i] = d[0];
                }
                if (!convolution) {
                    // A pool's padding stays at most half of a size that may have shrunk.
                    for (int i = 0; i < n; i++) {
                        p[i] = Math.min(p[i], k[i] / 2);
                    }
                }
            }
            return new Window(pairs, same, k, s, p, d, convolution && chance(0.5));
        }

        /** A window's geometry per spatial dimension, written as numbers or {@code [h, w]} pairs. */
        record Window(boolean pairs, boolean same, int[] k, int[] s, int[] p, int[] d, boolean explicitDefaults) {
            String kernel() {
                return text(k);
            }

            String text(int[] values) {
                return pairs ? "[" + values[0] + ", " + values[1] + "]" : Integer.toString(values[0]);
            }

            void options(List<String> arguments, boolean convolution) {
                boolean unitStride = java.util.Arrays.stream(s).allMatch(v -> v == 1);
                boolean zeroPad = java.util.Arrays.stream(p).allMatch(v -> v == 0);
                boolean unitDilation = java.util.Arrays.stream(d).allMatch(v -> v == 1);
                if (convolution) {
                    if (!unitStride || explicitDefaults) {
                        arguments.add("stride = " + text(s));
                    }
                    if (same) {
                        arguments.add("padding = same");
                    } else if (!zeroPad || explicitDefaults) {
                        arguments.add("padding = " + text(p));
                    }
                    if (!unitDilation || explicitDefaults) {
                        arguments.add("dilation = " + text(d));
                    }
                } else {
                    // A pool's stride defaults to its size, so it is always written.
                    arguments.add("stride = " + text(s));
                    if (!zeroPad) {
                        arguments.add("padding = " + text(p));
                    }
                }
            }

            int[] outputs(Tensor x, int channels) {
                int[] dims = new int[1 + k.length];
                dims[0] = channels;
                for (int i = 0; i < k.length; i++) {
                    int in = x.dims()[1 + i];
                    dims[1 + i] = same ? in : Math.floorDiv(in + 2 * p[i] - d[i] * (k[i] - 1) - 1, s[i]) + 1;
                }
                return dims;
            }
        }
    }

    private static String brackets(int[] dims) {
        StringBuilder text = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) {
            text.append(i == 0 ? "" : ", ").append(dims[i]);
        }
        return text.append(']').toString();
    }

    // ------------------------------------------------------------------------------------------
    // Long and deep specs

    private String longDeclaration(String name) {
        int f = scale.factor();
        return switch (random.nextInt(5)) {
            case 0 -> longSum(name, 500 * f + random.nextInt(1500 * f));
            case 1 -> longChain(name, 200 * f + random.nextInt(600 * f));
            case 2 -> manyParameters(name, 50 * f + random.nextInt(200 * f));
            case 3 -> stackedLayers(name, 20 * f + random.nextInt(60 * f));
            default -> longNetworkChain(name, 100 * f + random.nextInt(300 * f));
        };
    }

    /** A function whose body is a sum of {@code terms} terms. */
    private String longSum(String name, int terms) {
        StringBuilder body = new StringBuilder("function " + name + "(x, y) = ");
        for (int i = 0; i < terms; i++) {
            body.append(i == 0 ? "" : " + ");
            body.append(
                    switch (i % 4) {
                        case 0 -> "x";
                        case 1 -> "sin(x * " + (1 + i % 7) + ")";
                        case 2 -> "x * y";
                        default -> "0.5 * y";
                    });
            if (i % 20 == 19) {
                body.append('\n');
            }
        }
        return body.append(";").toString();
    }

    /** A function that chains {@code length} definitions. */
    private String longChain(String name, int length) {
        StringBuilder body = new StringBuilder("function " + name + "(x, y) {\n    a0 = x * y;\n");
        for (int i = 1; i < length; i++) {
            body.append("    a")
                    .append(i)
                    .append(" = ")
                    .append(
                            switch (i % 3) {
                                case 0 -> "sin(a" + (i - 1) + ") + x";
                                case 1 -> "a" + (i - 1) + " * 0.5 + y";
                                default -> "tanh(a" + (i - 1) + ")";
                            })
                    .append(";\n");
        }
        return body.append("    return a").append(length - 1).append(";\n}").toString();
    }

    /** A network with {@code count} scalar parameters used in one expression. */
    private String manyParameters(String name, int count) {
        StringBuilder text = new StringBuilder("network " + name + " {\n    input x[2];\n    target y[1];\n");
        StringBuilder sum = new StringBuilder();
        for (int i = 0; i < count; i++) {
            text.append("    param p").append(i).append(" = normal(0, 1);\n");
            sum.append(i == 0 ? "" : " + ")
                    .append("p")
                    .append(i)
                    .append(" * x[")
                    .append(i % 2)
                    .append(']');
        }
        text.append("    s = ").append(sum).append(";\n    o = dense(x, 1) + s;\n    output o;\n");
        text.append("    loss mse(o, y);\n    optimizer sgd(lr = 0.01);\n}");
        return text.toString();
    }

    /** A network of {@code layers} stacked dense layers. */
    private String stackedLayers(String name, int layers) {
        StringBuilder text = new StringBuilder("network " + name + " {\n    input x[3];\n");
        String previous = "x";
        for (int i = 0; i < layers; i++) {
            text.append("    l").append(i).append(" = dense(").append(previous).append(", 3, activation = tanh);\n");
            previous = "l" + i;
        }
        text.append("    output ").append(previous).append(";\n");
        if (chance(0.5)) {
            text.append("    target y[3];\n    loss mse(").append(previous).append(", y);\n    optimizer adam;\n");
        }
        return text.append("}").toString();
    }

    /** A network whose output is a chain of {@code length} elementwise definitions. */
    private String longNetworkChain(String name, int length) {
        StringBuilder text = new StringBuilder("network " + name + " {\n    input x[4];\n    target y[4];\n");
        text.append("    a0 = dense(x, 4);\n");
        for (int i = 1; i < length; i++) {
            text.append("    a").append(i).append(" = ");
            text.append(i % 2 == 0 ? "tanh(a" + (i - 1) + ") + x" : "a" + (i - 1) + " * 0.5");
            text.append(";\n");
        }
        text.append("    output a")
                .append(length - 1)
                .append(";\n    loss mse(a")
                .append(length - 1);
        return text.append(", y);\n    optimizer sgd(lr = 0.01);\n}").toString();
    }

    private String deepFunction(String name) {
        int depth = 20 + random.nextInt(100 + 30 * scale.factor());
        return "function " + name + "(x, v[3]) = " + nested("x", depth, true) + " + sum("
                + nested("v", depth / 2, false) + ");";
    }

    private String deepNetwork(String name) {
        int depth = 20 + random.nextInt(100 + 30 * scale.factor());
        boolean trainable = chance(0.5);
        return "network " + name + " {\n    input x[3];\n" + (trainable ? "    target y[3];\n" : "")
                + "    h = dense(x, 3);\n    d = " + nested("h", depth, false) + ";\n    output d;\n"
                + (trainable ? "    loss mse(d, y);\n    optimizer sgd(lr = 0.1);\n" : "") + "}";
    }

    /** {@code depth} nested calls and parentheses around {@code leaf}, within the nesting limit. */
    private String nested(String leaf, int depth, boolean scalar) {
        String text = leaf;
        for (int i = 0; i < Math.min(depth, 240); i++) {
            text = switch (random.nextInt(6)) {
                case 0 -> "(" + text + ")";
                case 1 -> "tanh(" + text + ")";
                case 2 -> "(" + text + " * 0.9 + " + leaf + ")";
                case 3 -> "sin(" + text + ")";
                case 4 -> "-(" + text + ")";
                default -> scalar ? "(" + text + " + 0.1)" : "(" + text + " - " + leaf + " * 0.5)";
            };
        }
        return text;
    }

    // ------------------------------------------------------------------------------------------
    // Mutations of the examples

    private static final Path EXAMPLES = Path.of("..", "examples");
    private static final Pattern INTEGER = Pattern.compile("(?<![\\w.])\\d+(?![\\w.])");
    private static final Pattern WORD = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * Edits of an example. An edit works on the text, so it may break the spec (a size that
     * another statement repeats, an activation that takes an option): an edit that {@code check}
     * rejects is undone, so that every mutation is accepted.
     */
    private Spec mutation() {
        List<String> files = exampleFiles();
        String file = pick(files);
        String text =
                read(EXAMPLES.resolve(file)).replaceFirst("(?m)^package [\\w.]+;", "package " + packageName() + ";");
        List<String> edits = new ArrayList<>();
        int count = 1 + random.nextInt(3);
        for (int i = 0; i < count; i++) {
            int edit = random.nextInt(8);
            String edited = switch (edit) {
                case 0, 1 -> resize(text);
                case 2 -> renameOne(text);
                case 3 -> replaceWord(text, ACTIVATIONS);
                case 4 -> replaceWord(text, MATRIX_INITS);
                case 5 -> inferenceOnly(text);
                case 6 ->
                    text.contains("precision ")
                            ? text.replace("precision double;", "precision float;")
                            : text.replaceFirst("(network\\s+\\w+\\s*\\{\n)", "$1    precision float;\n");
                default ->
                    text.replaceFirst(
                            "\n(\\s*)(\\w+ *= *dense)",
                            "\n$1/// "
                                    + pick(COMMENT_TEXTS).replace("\\", "\\\\").replace("$", "\\$") + "\n$1$2");
            };
            if (!edited.equals(text) && accepted(file, edited)) {
                text = edited;
                edits.add(List.of("resize", "resize", "rename", "activation", "init", "inference-only", "float", "doc")
                        .get(edit));
            }
        }
        return new Spec(Kind.MUTATION, file.replace(".nn", "") + "-" + String.join("-", edits) + ".nn", text);
    }

    private boolean accepted(String file, String text) {
        return !Compiler.check(List.of(
                        new SourceInput(file, text.getBytes(StandardCharsets.UTF_8), Optional.of("fz." + unique))))
                .hasErrors();
    }

    /** Replaces every occurrence of one integer of the text, so that sizes that must agree still do. */
    private String resize(String text) {
        Matcher m = INTEGER.matcher(text);
        List<String> integers = new ArrayList<>();
        while (m.find()) {
            integers.add(m.group());
        }
        if (integers.isEmpty()) {
            return text;
        }
        String integer = pick(integers);
        int size = THRESHOLD_SIZES[random.nextInt(THRESHOLD_SIZES.length)];
        return text.replaceAll("(?<![\\w.])" + integer + "(?![\\w.])", Integer.toString(size));
    }

    /** Renames one user word everywhere it appears, to a hostile name. */
    private String renameOne(String text) {
        Set<String> words = new TreeSet<>();
        Matcher m = WORD.matcher(text.replaceAll("//[^\n]*", ""));
        while (m.find()) {
            String word = m.group();
            if (!NN_KEYWORDS.contains(word) && !NN_BUILTINS.contains(word) && !word.matches("[eE]\\d*")) {
                words.add(word);
            }
        }
        if (words.isEmpty()) {
            return text;
        }
        String word = pick(new ArrayList<>(words));
        String name = pick(HOSTILE_NAMES);
        // The package's own segment keeps the spec apart from the others of its javac batch.
        if (word.equals(unique) || NN_BUILTINS.contains(name) || NN_KEYWORDS.contains(name) || words.contains(name)) {
            return text;
        }
        if (Character.isUpperCase(word.charAt(0)) && !Character.isUpperCase(name.charAt(0))) {
            name = pick(JAVA_LANG_TYPES);
        }
        return text.replaceAll("(?<![\\w.])" + Pattern.quote(word) + "(?!\\w)", Matcher.quoteReplacement(name));
    }

    private String replaceWord(String text, List<String> words) {
        List<String> present = words.stream()
                .filter(w -> Pattern.compile("\\b" + w + "\\b").matcher(text).find())
                .toList();
        if (present.isEmpty()) {
            return text;
        }
        return text.replaceFirst("\\b" + pick(present) + "\\b", pick(words));
    }

    private String inferenceOnly(String text) {
        return text.replaceAll("(?m)^\\s*(target|loss|optimizer)\\b[^;]*;[^\n]*\n", "");
    }

    private static List<String> exampleFiles() {
        try (Stream<Path> paths = Files.list(EXAMPLES)) {
            return paths.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".nn"))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ------------------------------------------------------------------------------------------
    // Names and draws

    /**
     * Java keywords, {@code java.lang} types, the generated code's fixed names, and every
     * identifier of the golden Java files and every identifier-like string literal of the code
     * generator: the names a user's name must never collide with.
     */
    private static List<String> hostileNames() {
        Set<String> names = new LinkedHashSet<>();
        names.addAll(JAVA_KEYWORDS);
        names.addAll(JAVA_LANG_TYPES);
        names.addAll(GENERATED_NAMES);
        Pattern identifier = Pattern.compile("\\b[A-Za-z_][A-Za-z0-9_]*\\b");
        Pattern literal = Pattern.compile("\"([A-Za-z_][A-Za-z0-9_]*)\"");
        scan(Path.of("src", "test", "resources", "golden"), ".java", identifier, 0, names);
        scan(Path.of("src", "main", "java", "dev", "nnc", "compiler", "codegen"), ".java", literal, 1, names);
        names.removeIf(n -> NN_KEYWORDS.contains(n) || !n.matches("[A-Za-z_][A-Za-z0-9_]*"));
        return List.copyOf(names);
    }

    private static void scan(Path root, String suffix, Pattern pattern, int group, Set<String> names) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file :
                    files.filter(f -> f.toString().endsWith(suffix)).sorted().toList()) {
                Matcher m = pattern.matcher(Files.readString(file));
                while (m.find()) {
                    names.add(m.group(group));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean chance(double p) {
        return random.nextDouble() < p;
    }

    private <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }
}
