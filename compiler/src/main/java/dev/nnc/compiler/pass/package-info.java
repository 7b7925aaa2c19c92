/**
 * Optimisation passes over the graph IR, each a {@link dev.nnc.compiler.pass.Pass} from a graph to
 * an equivalent graph with fewer or cheaper nodes: constant folding, algebraic simplification
 * (including the normalisation of products and sums, which gathers constants and combines like terms, and factoring), common-subexpression elimination and dead-code
 * elimination.
 *
 * <p>Input: a {@link dev.nnc.compiler.graph.Graph} (forward, or extended by reverse mode). Output:
 * a renumbered graph with the same outputs and the same values up to floating-point rounding (the
 * rewrites that may change rounding are listed in {@link dev.nnc.compiler.pass.Simplify}). Entry
 * point: {@link dev.nnc.compiler.pass.Passes#optimize}. Every pass builds through a
 * constant-folding builder, and each pass is linear in the size of the graph (a product or sum
 * tree is rewritten once, from its root), so a sum of 100,000 terms simplifies in one round.
 */
package dev.nnc.compiler.pass;
