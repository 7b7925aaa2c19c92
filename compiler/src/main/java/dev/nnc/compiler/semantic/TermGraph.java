package dev.nnc.compiler.semantic;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Walks checked terms as the DAG they are (a {@link Term.Read} of a definition continues into
 * the definition's value). Iterative, because a chain of definitions can be arbitrarily long.
 */
public final class TermGraph {
    private TermGraph() {}

    /** The operands of {@code term}, with a definition's value standing behind a read of it. */
    static List<Term> children(Term term) {
        return term.operands();
    }

    /** The parameters a term reads directly (explicit ones) or owns (a layer's). */
    static List<Symbol.Param> parametersOf(Term term) {
        if (term instanceof Term.Read read && read.symbol() instanceof Symbol.Param param) {
            return List.of(param);
        } else if (term instanceof Term.Dense dense) {
            List<Symbol.Param> params = new ArrayList<>();
            params.add(dense.weight());
            dense.bias().ifPresent(params::add);
            return params;
        } else if (term instanceof Term.Rbf rbf) {
            return List.of(rbf.centers(), rbf.widths());
        } else if (term instanceof Term.Conv conv) {
            List<Symbol.Param> params = new ArrayList<>();
            params.add(conv.weight());
            conv.bias().ifPresent(params::add);
            return params;
        } else if (term instanceof Term.Recurrent recurrent) {
            return List.of(recurrent.weightIh(), recurrent.weightHh(), recurrent.biasIh(), recurrent.biasHh());
        } else if (term instanceof Term.BatchNorm norm) {
            return List.of(norm.weight(), norm.bias());
        } else if (term instanceof Term.LayerNorm norm) {
            return List.of(norm.weight(), norm.bias());
        } else if (term instanceof Term.Embedding embedding) {
            return List.of(embedding.weight());
        }
        return List.of();
    }

    /** Every term reachable from {@code root}, each once, operands before the terms using them. */
    public static List<Term> postOrder(Term root) {
        Set<Term> entered = Collections.newSetFromMap(new IdentityHashMap<>());
        Set<Term> done = Collections.newSetFromMap(new IdentityHashMap<>());
        List<Term> order = new ArrayList<>();
        Deque<Term> work = new ArrayDeque<>();
        work.push(root);
        while (!work.isEmpty()) {
            Term term = work.peek();
            if (done.contains(term)) {
                work.pop();
            } else if (entered.add(term)) {
                for (Term child : children(term)) {
                    if (!done.contains(child)) {
                        work.push(child);
                    }
                }
            } else {
                work.pop();
                done.add(term);
                order.add(term);
            }
        }
        return order;
    }

    /** The parameters {@code root} depends on, in first-seen order. */
    static Set<Symbol.Param> parameters(Term root) {
        Set<Symbol.Param> params = new LinkedHashSet<>();
        for (Term term : postOrder(root)) {
            params.addAll(parametersOf(term));
        }
        return params;
    }

    /**
     * The {@code step} applications reachable from {@code root} whose argument depends on a
     * parameter: the gradient of that parameter is cut to zero there.
     */
    static List<Term.Apply> stepsOnParameterPaths(Term root) {
        List<Term> order = postOrder(root);
        Map<Term, Boolean> dependsOnParameter = new IdentityHashMap<>();
        for (Term term : order) {
            boolean depends = !parametersOf(term).isEmpty();
            for (Term child : children(term)) {
                depends |= dependsOnParameter.getOrDefault(child, false);
            }
            dependsOnParameter.put(term, depends);
        }
        List<Term.Apply> steps = new ArrayList<>();
        for (Term term : order) {
            if (term instanceof Term.Apply apply
                    && apply.function() == Builtin.STEP
                    && dependsOnParameter.get(apply.arguments().get(0))) {
                steps.add(apply);
            }
        }
        return steps;
    }
}
