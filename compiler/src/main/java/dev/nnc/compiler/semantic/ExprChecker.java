package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.frontend.ast.Expr;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Expressions to {@link Term}s: resolves names, folds constants, infers and checks shapes.
 *
 * <p>An empty result means "wrong, and already reported": callers pass it on without a message
 * of their own, so one mistake gives one diagnostic, not a cascade.
 */
final class ExprChecker {
    private final Context context;
    private final CallChecker calls;

    ExprChecker(Context context) {
        this.context = context;
        this.calls = new CallChecker(context, this);
    }

    Optional<Term> check(Expr expr) {
        // Java 17 has no pattern switch; the chain covers every permitted subtype of Expr.
        if (expr instanceof Expr.Number number) {
            return number(number);
        } else if (expr instanceof Expr.Name name) {
            return name(name);
        } else if (expr instanceof Expr.Unary unary) {
            return unary(unary);
        } else if (expr instanceof Expr.Binary binary) {
            return binary(binary);
        } else if (expr instanceof Expr.Index index) {
            return index(index);
        } else if (expr instanceof Expr.Slice slice) {
            return slice(slice);
        } else if (expr instanceof Expr.ListLiteral list) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.LITERAL_LIST,
                    list.span(),
                    "lists give sizes only: kernel, stride, padding, dilation and size of convolutions and pools,"
                            + " and the shape of reshape",
                    context.text(list.span()));
            return Optional.empty();
        } else if (expr instanceof Expr.Call call) {
            return calls.check(call);
        }
        throw new InternalCompilerError("unknown expression " + expr.getClass());
    }

    /** The value of a compile-time constant expression; {@code what} names it in the message. */
    OptionalDouble constant(Expr expr, String what) {
        Optional<Term> term = check(expr);
        if (term.isEmpty()) {
            return OptionalDouble.empty();
        }
        if (term.get() instanceof Term.Literal literal) {
            return OptionalDouble.of(literal.value());
        }
        context.diagnostics.report(DiagnosticCode.LITERAL_NOT_CONSTANT, expr.span(), what);
        return OptionalDouble.empty();
    }

    /** A dimension or a number of units: a constant integer in {@code [1, MAX_DIMENSION]}. */
    OptionalInt size(Expr expr, String what) {
        OptionalDouble value = constant(expr, what);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        double v = value.getAsDouble();
        if (v != Math.rint(v)) {
            context.diagnostics.report(DiagnosticCode.LITERAL_NOT_INTEGER, expr.span(), what, context.found(expr, v));
            return OptionalInt.empty();
        }
        if (v < 1 || v > Limits.MAX_DIMENSION) {
            context.diagnostics.report(
                    DiagnosticCode.SHAPE_BAD_DIMENSION,
                    expr.span(),
                    what,
                    Limits.MAX_DIMENSION,
                    context.found(expr, v));
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) v);
    }

    /** A declared shape {@code [d1, ..., dn]}, at most {@link Shape#MAX_RANK} dimensions (none: a scalar). */
    Optional<Shape> shape(List<Expr> dims, String what, SourceSpan span) {
        if (!rank(dims, what)) {
            return Optional.empty();
        }
        int[] sizes = new int[dims.size()];
        boolean ok = true;
        for (int i = 0; i < dims.size(); i++) {
            OptionalInt size = size(dims.get(i), "a dimension of " + what);
            ok &= size.isPresent();
            sizes[i] = size.orElse(1);
        }
        return ok ? tensor(sizes, what, span) : Optional.empty();
    }

    /** Whether {@code dims} has at most {@link Shape#MAX_RANK} entries; reports when it has more. */
    boolean rank(List<Expr> dims, String what) {
        if (dims.size() <= Shape.MAX_RANK) {
            return true;
        }
        context.diagnostics.reportWithHelp(
                DiagnosticCode.SHAPE_RANK,
                dims.get(Shape.MAX_RANK).span(),
                "a vector is [n], a matrix [rows, columns], an image [channels, height, width]",
                what,
                dims.size(),
                Shape.MAX_RANK);
        return false;
    }

    /** A matrix shape, or an error when it would hold more than {@link Limits#MAX_ELEMENTS}. */
    Optional<Shape> matrix(int rows, int cols, String what, SourceSpan span) {
        return tensor(new int[] {rows, cols}, what, span);
    }

    /** A shape of these dimensions, or an error when it would hold more than {@link Limits#MAX_ELEMENTS}. */
    Optional<Shape> tensor(int[] dims, String what, SourceSpan span) {
        // Four dimensions of up to 2^20 overflow a long; the exact count is for the message.
        BigInteger elements = BigInteger.ONE;
        for (int d : dims) {
            elements = elements.multiply(BigInteger.valueOf(d));
        }
        if (elements.compareTo(BigInteger.valueOf(Limits.MAX_ELEMENTS)) > 0) {
            context.diagnostics.report(
                    DiagnosticCode.SHAPE_TOO_LARGE,
                    span,
                    what,
                    String.format(Locale.ROOT, "%,d", elements),
                    Limits.MAX_ELEMENTS);
            return Optional.empty();
        }
        return Optional.of(Shape.of(dims));
    }

    /** The shape of an elementwise operation: equal shapes, or a scalar broadcast over the other. */
    static Optional<Shape> broadcast(Shape a, Shape b) {
        if (a.equals(b) || b.isScalar()) {
            return Optional.of(a);
        }
        return a.isScalar() ? Optional.of(b) : Optional.empty();
    }

    private Optional<Term> number(Expr.Number number) {
        double value = Double.parseDouble(number.text());
        if (Double.isInfinite(value) || (value == 0 && hasNonZeroDigit(number.text()))) {
            context.diagnostics.report(DiagnosticCode.LITERAL_OUT_OF_RANGE, number.span(), number.text());
            return Optional.empty();
        }
        return Optional.of(new Term.Literal(value, number.span()));
    }

    /** Whether the significand is non-zero, i.e. a zero value means the number underflowed. */
    private static boolean hasNonZeroDigit(String text) {
        int exponent = text.toLowerCase(Locale.ROOT).indexOf('e');
        String significand = exponent < 0 ? text : text.substring(0, exponent);
        return significand.chars().anyMatch(c -> c >= '1' && c <= '9');
    }

    private Optional<Term> name(Expr.Name name) {
        Optional<Scope.Entry> entry = context.scope.lookup(name.name());
        if (entry.isPresent()) {
            if (entry.get() instanceof Scope.Entry.Value value) {
                return Optional.of(new Term.Read(value.symbol(), name.span()));
            }
            if (entry.get() instanceof Scope.Entry.Constant constant) {
                return Optional.of(new Term.Literal(constant.value(), name.span()));
            }
            return Optional.empty();
        }
        Optional<String> kind = Vocabulary.kindOf(name.name());
        if (kind.isPresent()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.NAME_NOT_A_VALUE,
                    name.span(),
                    Vocabulary.usage(name.name()),
                    name.name(),
                    kind.get());
            return Optional.empty();
        }
        Optional<SourceSpan> later = context.scope.definedLater(name.name());
        if (later.isPresent()) {
            context.diagnostics.reportWithNote(
                    DiagnosticCode.NAME_USED_BEFORE_DEFINITION,
                    name.span(),
                    later.get(),
                    "'" + name.name() + "' is defined here",
                    name.name());
            return Optional.empty();
        }
        context.diagnostics.reportWithHelp(
                DiagnosticCode.NAME_UNDEFINED,
                name.span(),
                Suggestions.didYouMean(name.name(), context.scope.names()).orElse(null),
                name.name());
        return Optional.empty();
    }

    private Optional<Term> unary(Expr.Unary unary) {
        Optional<Term> operand = check(unary.operand());
        if (operand.isEmpty() || unary.op() == Expr.UnaryOp.PLUS) {
            return operand;
        }
        if (operand.get() instanceof Term.Literal literal) {
            return Optional.of(new Term.Literal(-literal.value(), unary.span()));
        }
        return Optional.of(new Term.Negate(operand.get(), unary.span()));
    }

    private Optional<Term> binary(Expr.Binary binary) {
        Optional<Term> left = check(binary.left());
        Optional<Term> right = check(binary.right());
        if (left.isEmpty() || right.isEmpty()) {
            return Optional.empty();
        }
        return switch (binary.op()) {
            case ADD -> arithmetic(Term.Arithmetic.Op.ADD, binary, left.get(), right.get());
            case SUBTRACT -> arithmetic(Term.Arithmetic.Op.SUBTRACT, binary, left.get(), right.get());
            case MULTIPLY -> arithmetic(Term.Arithmetic.Op.MULTIPLY, binary, left.get(), right.get());
            case DIVIDE -> arithmetic(Term.Arithmetic.Op.DIVIDE, binary, left.get(), right.get());
            case MATMUL -> matmul(binary, left.get(), right.get());
            case POWER -> power(binary, left.get(), right.get());
        };
    }

    private Optional<Term> arithmetic(Term.Arithmetic.Op op, Expr.Binary binary, Term left, Term right) {
        if (left instanceof Term.Literal a && right instanceof Term.Literal b) {
            double value = switch (op) {
                case ADD -> a.value() + b.value();
                case SUBTRACT -> a.value() - b.value();
                case MULTIPLY -> a.value() * b.value();
                case DIVIDE -> a.value() / b.value();
            };
            return folded(value, binary);
        }
        Optional<Shape> shape = broadcast(left.shape(), right.shape());
        if (shape.isEmpty()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_MISMATCH,
                    binary.opSpan(),
                    "elementwise operators need equal shapes, or a scalar on one side",
                    binary.op().symbol(),
                    left.shape(),
                    right.shape());
            return Optional.empty();
        }
        return Optional.of(new Term.Arithmetic(op, left, right, shape.get(), binary.span()));
    }

    private Optional<Term> folded(double value, Expr.Binary binary) {
        if (!Double.isFinite(value)) {
            context.diagnostics.report(
                    DiagnosticCode.LITERAL_NOT_FINITE, binary.opSpan(), Double.isNaN(value) ? "NaN" : "infinity");
            return Optional.empty();
        }
        return Optional.of(new Term.Literal(value, binary.span()));
    }

    private Optional<Term> matmul(Expr.Binary binary, Term left, Term right) {
        if (!left.shape().isMatrix()) {
            context.diagnostics.report(
                    DiagnosticCode.SHAPE_EXPECTED,
                    binary.opSpan(),
                    "the left operand of '@'",
                    "a matrix",
                    left.shape());
            return Optional.empty();
        }
        if (right.shape().isScalar() || right.shape().rank() > 2) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_EXPECTED,
                    binary.opSpan(),
                    right.shape().isScalar() ? "to scale by a scalar use '*'" : null,
                    "the right operand of '@'",
                    "a vector or a matrix",
                    right.shape());
            return Optional.empty();
        }
        if (left.shape().cols() != right.shape().rows()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_MATMUL,
                    binary.opSpan(),
                    String.format(
                            Locale.ROOT,
                            "the left operand has %d columns, the right one %d rows",
                            left.shape().cols(),
                            right.shape().rows()),
                    left.shape(),
                    right.shape());
            return Optional.empty();
        }
        Optional<Shape> shape = right.shape().isVector()
                ? Optional.of(Shape.vector(left.shape().rows()))
                : matrix(left.shape().rows(), right.shape().cols(), "the product", binary.opSpan());
        return shape.map(s -> new Term.MatMul(left, right, s, binary.span()));
    }

    private Optional<Term> power(Expr.Binary binary, Term base, Term exponent) {
        if (!(exponent instanceof Term.Literal constant)) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.LITERAL_NOT_CONSTANT,
                    binary.right().span(),
                    "for a variable exponent write exp(y * log(x))",
                    "the exponent of '^'");
            return Optional.empty();
        }
        if (base instanceof Term.Literal literal) {
            return folded(Math.pow(literal.value(), constant.value()), binary);
        }
        return Optional.of(new Term.Power(base, constant.value(), binary.span()));
    }

    /**
     * {@code v[i]} of a vector is its element; {@code x[i]} of a tensor of rank 2 or more is row
     * {@code i} without the first dimension (the slice {@code i:i+1}, reshaped).
     */
    private Optional<Term> index(Expr.Index index) {
        Optional<Term> target = check(index.target());
        OptionalDouble position = integer(index.index(), "an index");
        if (target.isEmpty() || position.isEmpty()) {
            return Optional.empty();
        }
        Shape shape = target.get().shape();
        if (shape.isScalar()) {
            context.diagnostics.report(
                    DiagnosticCode.SHAPE_EXPECTED,
                    index.target().span(),
                    "an indexed value",
                    "a vector or a tensor",
                    shape);
            return Optional.empty();
        }
        double i = position.getAsDouble();
        if (i < 0 || i >= shape.rows()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_INDEX_OUT_OF_RANGE,
                    index.index().span(),
                    "indices start at 0",
                    context.found(index.index(), i),
                    extent(shape));
            return Optional.empty();
        }
        int row = (int) i;
        if (shape.isVector()) {
            return Optional.of(new Term.Element(target.get(), row, index.span()));
        }
        Term slice = new Term.Slice(target.get(), row, row + 1, index.span());
        return Optional.of(new Term.Reshape(slice, shape.row(), index.span()));
    }

    /** {@code x[a:b]}: rows {@code a} to {@code b - 1}; an omitted bound is the start or the end. */
    private Optional<Term> slice(Expr.Slice slice) {
        Optional<Term> target = check(slice.target());
        OptionalDouble from = slice.from().map(e -> integer(e, "a slice bound")).orElse(OptionalDouble.of(0));
        Optional<OptionalDouble> to = slice.to().map(e -> integer(e, "a slice bound"));
        if (target.isEmpty()
                || from.isEmpty()
                || to.filter(OptionalDouble::isEmpty).isPresent()) {
            return Optional.empty();
        }
        Shape shape = target.get().shape();
        if (shape.isScalar()) {
            context.diagnostics.report(
                    DiagnosticCode.SHAPE_EXPECTED,
                    slice.target().span(),
                    "a sliced value",
                    "a vector or a tensor",
                    shape);
            return Optional.empty();
        }
        double a = from.getAsDouble();
        double b = to.map(OptionalDouble::getAsDouble).orElse((double) shape.rows());
        String range = Context.format(a) + ":" + Context.format(b);
        if (a < 0 || b > shape.rows()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_SLICE_OUT_OF_RANGE,
                    slice.span(),
                    String.format(
                            Locale.ROOT, "rows are numbered 0 to %d; a:b takes rows a to b - 1", shape.rows() - 1),
                    range,
                    extent(shape));
            return Optional.empty();
        }
        if (a >= b) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_SLICE_EMPTY,
                    slice.span(),
                    "a:b takes rows a to b - 1, so a must be less than b",
                    range);
            return Optional.empty();
        }
        return Optional.of(new Term.Slice(target.get(), (int) a, (int) b, slice.span()));
    }

    /** A compile-time constant integer of any sign (an index, a slice bound). */
    private OptionalDouble integer(Expr expr, String what) {
        OptionalDouble value = constant(expr, what);
        if (value.isPresent() && value.getAsDouble() != Math.rint(value.getAsDouble())) {
            context.diagnostics.report(
                    DiagnosticCode.LITERAL_NOT_INTEGER, expr.span(), what, context.found(expr, value.getAsDouble()));
            return OptionalDouble.empty();
        }
        return value;
    }

    /** "a vector of 3 elements", "[4, 3] (4 rows)": what an index or slice ranges over. */
    private static String extent(Shape shape) {
        return shape.isVector()
                ? "a vector of " + shape.rows() + " elements"
                : shape + " (" + shape.rows() + (shape.rows() == 1 ? " row)" : " rows)");
    }
}
