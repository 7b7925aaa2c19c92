package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.frontend.ast.Expr;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * {@code embedding(ids, count, dim)}: {@code weight [count, dim]}, {@code normal(0, 1)} as
 * PyTorch's {@code nn.Embedding} starts it. The ids must be a view of an input (the input, its
 * slices, elements and reshapes): the generated code checks every id of a batch before it
 * changes anything, which it can only do for values it reads from the input row, and an id
 * computed from parameters would have no gradient.
 */
final class EmbeddingChecker {
    private final Context context;
    private final ExprChecker exprs;

    EmbeddingChecker(Context context, ExprChecker exprs) {
        this.context = context;
        this.exprs = exprs;
    }

    Optional<Term> check(String owner, Optional<Term> ids, Map<String, Expr.Argument> args, Expr.Call call) {
        OptionalInt count = exprs.size(args.get("count").value(), "the 'count' of 'embedding'");
        OptionalInt dim = exprs.size(args.get("dim").value(), "the 'dim' of 'embedding'");
        Expr idsExpr = args.get("ids").value();
        Optional<List<Term.Embedding.IdPosition>> positions = ids.flatMap(term -> positions(term, idsExpr));
        if (count.isEmpty() || dim.isEmpty() || positions.isEmpty()) {
            return Optional.empty();
        }
        Shape idShape = ids.get().shape();
        Optional<Shape> shape = idShape.isScalar()
                ? Optional.of(Shape.vector(dim.getAsInt()))
                : exprs.matrix(idShape.size(), dim.getAsInt(), "the output of '" + owner + "'", call.span());
        Optional<Shape> table = exprs.matrix(count.getAsInt(), dim.getAsInt(), "'" + owner + ".weight'", call.span());
        if (shape.isEmpty() || table.isEmpty()) {
            return Optional.empty();
        }
        // A lookup table, not a weight matrix: l1/l2(weights) would make every row's gradient
        // dense, where the lookup's touches only the rows a batch uses.
        Symbol.Param weight = new Symbol.Param(
                owner + ".weight", table.get(), new Initializer(Initializer.Kind.NORMAL, 0, 1), false, call.span());
        context.addParameter(weight);
        return Optional.of(new Term.Embedding(ids.get(), weight, positions.get(), shape.get(), call.span()));
    }

    /** Where each id lies in the input row, or a diagnostic when {@code ids} is not a view of an input. */
    private Optional<List<Term.Embedding.IdPosition>> positions(Term ids, Expr at) {
        if (ids.shape().rank() > 1) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.SHAPE_EXPECTED,
                    at.span(),
                    String.format(
                            Locale.ROOT,
                            "flatten(%s) looks up all %d ids, giving [%d, dim]",
                            context.text(at.span()),
                            ids.shape().size(),
                            ids.shape().size()),
                    "the ids of 'embedding'",
                    "a scalar or a vector",
                    ids.shape());
            return Optional.empty();
        }
        Optional<List<Term.Embedding.IdPosition>> positions = inputPositions(ids);
        if (positions.isEmpty()) {
            context.diagnostics.reportWithHelp(
                    DiagnosticCode.ARGUMENT_KIND,
                    at.span(),
                    "declare the ids as an input (e.g. 'input week;') so that every sample's ids can be checked"
                            + " before training uses them; computed ids have no gradient",
                    "the ids of 'embedding'",
                    "an input or a slice, element or reshape of one",
                    context.text(at.span()));
        }
        return positions;
    }

    /**
     * The input elements {@code term} consists of, in row-major order, if it is a view of one
     * input: an input, a definition of one, a slice, an element or a reshape of one.
     */
    private static Optional<List<Term.Embedding.IdPosition>> inputPositions(Term term) {
        if (term instanceof Term.Read read && read.symbol() instanceof Symbol.Input input) {
            List<Term.Embedding.IdPosition> positions = new ArrayList<>();
            for (int e = 0; e < input.shape().size(); e++) {
                int index = input.shape().isScalar() ? -1 : e;
                positions.add(new Term.Embedding.IdPosition(input.name(), index, input.offset() + e));
            }
            return Optional.of(positions);
        }
        if (term instanceof Term.Read read && read.symbol() instanceof Symbol.Definition definition) {
            return inputPositions(definition.value());
        }
        if (term instanceof Term.Reshape reshape) {
            return inputPositions(reshape.input());
        }
        if (term instanceof Term.Element element) {
            return inputPositions(element.vector()).map(all -> List.of(all.get(element.index())));
        }
        if (term instanceof Term.Slice slice) {
            int stride = slice.input().shape().size() / slice.input().shape().rows();
            return inputPositions(slice.input())
                    .map(all -> List.copyOf(all.subList(slice.from() * stride, slice.to() * stride)));
        }
        return Optional.empty();
    }
}
