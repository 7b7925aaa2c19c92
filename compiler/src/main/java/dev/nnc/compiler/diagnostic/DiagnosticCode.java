package dev.nnc.compiler.diagnostic;

import java.util.Locale;

/**
 * Every diagnostic nnc can report: a stable number, a default severity and a message template
 * ({@link String#format} arguments). Grouped by prefix: {@code SYNTAX_} (lexing and parsing),
 * {@code NAME_} (resolution), {@code SHAPE_} (shape inference), {@code ARGUMENT_} (calls and
 * their arguments), {@code NETWORK_} and {@code FUNCTION_} (declaration structure),
 * {@code OPTIMIZER_}, {@code EXPORT_} (what an export to ONNX cannot express). The numbers are listed in docs/diagnostics.md and never reused.
 */
public enum DiagnosticCode {
    // Input decoding and lexing.
    SYNTAX_INVALID_ENCODING(101, "file is not valid UTF-8: %s"),
    SYNTAX_BAD_CHARACTER(102, "unexpected character %s"),
    SYNTAX_UNTERMINATED_COMMENT(103, "unterminated block comment"),
    SYNTAX_BIDI_CONTROL(104, "bidirectional control character %s is not allowed in source text"),
    SYNTAX_TOO_DEEP(105, "expression nested too deeply (limit %d)"),
    SYNTAX_EMPTY_FILE(106, "empty file: expected a network or function declaration"),
    SYNTAX_NON_ASCII_NAME(107, "name '%s' has characters outside ASCII"),
    // Parsing.
    SYNTAX_UNEXPECTED(110, "expected %s, found %s"),
    SYNTAX_MISSING(111, "missing %s before %s"),
    SYNTAX_EXTRA(112, "unexpected %s; expected %s"),
    SYNTAX_TOO_MANY_ERRORS(113, "too many syntax errors; stopped here"),
    // Literals.
    LITERAL_OUT_OF_RANGE(120, "number %s is out of range for a double"),
    LITERAL_NOT_INTEGER(121, "%s must be an integer, found %s"),
    LITERAL_NOT_CONSTANT(122, "%s must be a compile-time constant"),
    LITERAL_NOT_FINITE(123, "this constant expression evaluates to %s"),
    LITERAL_LIST(124, "a list is not a value: %s"),
    // Names.
    NAME_UNDEFINED(201, "unknown name '%s'"),
    NAME_DUPLICATE(202, "'%s' is already defined"),
    NAME_USED_BEFORE_DEFINITION(203, "'%s' is used before it is defined"),
    NAME_UNKNOWN_FUNCTION(204, "unknown function '%s'"),
    NAME_UNKNOWN_ACTIVATION(205, "unknown activation '%s'"),
    NAME_UNKNOWN_INITIALIZER(206, "unknown initializer '%s'"),
    NAME_UNKNOWN_OPTIMIZER(207, "unknown optimizer '%s'"),
    NAME_UNKNOWN_PRECISION(208, "unknown precision '%s'; expected 'double' or 'float'"),
    NAME_CLASS_COLLISION(209, "declaration '%s' produces the same Java class as '%s'"),
    NAME_NOT_A_VALUE(210, "'%s' is %s, not a value"),
    NAME_RESERVED(211, "'%s' cannot be used as a %s name: %s"),
    NAME_INVALID_PACKAGE(212, "invalid package name '%s': %s"),
    NAME_NO_WEIGHTS(213, "'weights' names no weight matrix: network '%s' has none"),
    NAME_RESERVED_PACKAGE(214, "package '%s' belongs to the Java platform: javac compiles no classes in '%s.*'"),
    // Shapes.
    SHAPE_MISMATCH(301, "shape mismatch in '%s': %s and %s"),
    SHAPE_MATMUL(302, "'@' needs matching inner dimensions: %s @ %s"),
    SHAPE_EXPECTED(303, "%s must be %s, found %s"),
    SHAPE_INDEX_OUT_OF_RANGE(304, "index %s is out of range for %s"),
    SHAPE_TOO_LARGE(305, "%s has %s elements; the limit is %,d"),
    SHAPE_BAD_DIMENSION(306, "%s must be between 1 and %,d, found %s"),
    SHAPE_RANK(307, "%s has %d dimensions; at most %d are supported"),
    SHAPE_EMPTY_OUTPUT(308, "'%s' has an empty output: %s"),
    SHAPE_RESHAPE(309, "'reshape' cannot change the number of elements: %s has %s, %s has %s"),
    SHAPE_CONCAT(310, "'concat' needs the same dimensions after the first: %s and %s"),
    SHAPE_SLICE_OUT_OF_RANGE(311, "slice %s is out of range for %s"),
    SHAPE_SLICE_EMPTY(312, "slice %s is empty"),
    // Calls and arguments.
    ARGUMENT_COUNT(401, "'%s' expects %s, found %d"),
    ARGUMENT_UNKNOWN(402, "'%s' has no argument named '%s'"),
    ARGUMENT_DUPLICATE(403, "argument '%s' is given twice"),
    ARGUMENT_MISSING(404, "'%s' needs the argument '%s'"),
    ARGUMENT_RANGE(405, "%s must be %s, found %s"),
    ARGUMENT_KIND(406, "%s must be %s, found %s"),
    ARGUMENT_POSITIONAL_AFTER_NAMED(407, "positional argument after a named argument"),
    LAYER_NESTED(408, "a definition may hold at most one layer call; '%s' already holds '%s'"),
    LAYER_OUTSIDE_DEFINITION(409, "layer '%s' can only be called in a definition (name = %s(...))"),
    ARGUMENT_SAME_NEEDS_STRIDE_1(410, "'padding = same' of '%s' needs stride 1, found stride %s"),
    // Network and function structure.
    NETWORK_NO_OUTPUT(501, "network '%s' has no output statement"),
    NETWORK_DUPLICATE_STATEMENT(502, "network '%s' has more than one %s statement"),
    NETWORK_LOSS_WITHOUT_OPTIMIZER(503, "network '%s' has a loss but no optimizer"),
    NETWORK_OPTIMIZER_WITHOUT_LOSS(504, "network '%s' has an optimizer but no loss"),
    NETWORK_NOTHING_TO_TRAIN(505, "network '%s' has a loss but no trainable parameter"),
    NETWORK_LOSS_NOT_SCALAR(506, "the loss must be a scalar, found %s"),
    NETWORK_NO_INPUT(507, "network '%s' has no input"),
    NETWORK_TARGET_WITHOUT_LOSS(508, "target '%s' is declared but the network has no loss"),
    NETWORK_STATEMENT_IN_FUNCTION(509, "%s"),
    FUNCTION_TOO_MANY_ARGUMENTS(
            510,
            "function '%s' takes %d scalar and %d vector arguments, %d parameter slots of a Java method;"
                    + " the limit is %d"),
    // Export to other formats.
    EXPORT_UNSUPPORTED(701, "cannot export %s to ONNX: %s"),
    // Warnings.
    WARN_GRADIENT_THROUGH_STEP(601, "the gradient through 'step' is zero: parameters before it will not learn"),
    WARN_PARAMETER_UNUSED(602, "parameter '%s' does not affect the loss; its gradient is always zero"),
    WARN_BCE_ON_PROBABILITIES(603, "%s"),
    WARN_PADDING_BEYOND_WINDOW(
            604,
            "'%s' pads its %s by %d, more than its window reaches (%s): windows that lie in the padding"
                    + " alone give the bias only");

    private final int number;
    private final String template;

    DiagnosticCode(int number, String template) {
        this.number = number;
        this.template = template;
    }

    /** The stable identifier, e.g. {@code NN0201}. */
    public String id() {
        return String.format(Locale.ROOT, "NN%04d", number);
    }

    /** Warnings are the {@code WARN_} codes; every other code is an error. */
    public Severity severity() {
        return name().startsWith("WARN_") ? Severity.WARNING : Severity.ERROR;
    }

    /** The message for the given template arguments. */
    public String format(Object... args) {
        return String.format(Locale.ROOT, template, args);
    }
}
