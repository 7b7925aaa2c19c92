package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.frontend.ast.Expr;
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

    /** A declared shape {@code [d]} or {@code [r, c]} (no dimensions: a scalar). */
    Optional<Shape> shape(List<Expr> dims, String what, SourceSpan span) {
        if (dims.size() > 2) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_RANK,
                    dims.get(2).span(),
                    "use a vector [n] or a matrix [rows, columns]",
                    what,
                    dims.size());
            return Optional.empty();
        }
        OptionalInt[] sizes = new OptionalInt[dims.size()];
        boolean ok = true;
        for (int i = 0; i < dims.size(); i++) {
            sizes[i] = size(dims.get(i), "a dimension of " + what);
            ok &= sizes[i].isPresent();
        }
        if (!ok) {
            return Optional.empty();
        }
        return switch (dims.size()) {
            case 0 -> Optional.of(Shape.scalar());
            case 1 -> Optional.of(Shape.vector(sizes[0].getAsInt()));
            default -> matrix(sizes[0].getAsInt(), sizes[1].getAsInt(), what, span);
        };
    }

    /** A matrix shape, or an error when it would hold more than {@link Limits#MAX_ELEMENTS}. */
    Optional<Shape> matrix(int rows, int cols, String what, SourceSpan span) {
        long elements = (long) rows * cols;
        if (elements > Limits.MAX_ELEMENTS) {
            context.diagnostics.report(
                    DiagnosticCode.SHAPE_TOO_LARGE,
                    span,
                    what,
                    String.format(Locale.ROOT, "%,d", elements),
                    Limits.MAX_ELEMENTS);
            return Optional.empty();
        }
        return Optional.of(Shape.matrix(rows, cols));
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
        if (right.shape().isScalar()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_EXPECTED,
                    binary.opSpan(),
                    "to scale by a scalar use '*'",
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

    private Optional<Term> index(Expr.Index index) {
        Optional<Term> target = check(index.target());
        OptionalDouble position = constant(index.index(), "an index");
        if (target.isEmpty() || position.isEmpty()) {
            return Optional.empty();
        }
        Shape shape = target.get().shape();
        if (!shape.isVector()) {
            context.diagnostics.report(
                    DiagnosticCode.SHAPE_EXPECTED, index.target().span(), "an indexed value", "a vector", shape);
            return Optional.empty();
        }
        double i = position.getAsDouble();
        if (i != Math.rint(i)) {
            context.diagnostics.report(
                    DiagnosticCode.LITERAL_NOT_INTEGER,
                    index.index().span(),
                    "an index",
                    context.found(index.index(), i));
            return Optional.empty();
        }
        if (i < 0 || i >= shape.rows()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_INDEX_OUT_OF_RANGE,
                    index.index().span(),
                    "indices start at 0",
                    context.found(index.index(), i),
                    shape.rows());
            return Optional.empty();
        }
        return Optional.of(new Term.Element(target.get(), (int) i, index.span()));
    }
}
