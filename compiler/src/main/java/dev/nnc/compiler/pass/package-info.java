/**
 * Optimisation passes over the graph IR, each a {@link dev.nnc.compiler.pass.Pass} from a graph to
 * an equivalent graph with fewer or cheaper nodes: constant folding, algebraic simplification
 * (including product normalisation and factoring), common-subexpression elimination and dead-code
 * elimination.
 *
 * <p>Input: a {@link dev.nnc.compiler.graph.Graph} (forward, or extended by reverse mode). Output:
 * a renumbered graph with the same outputs and the same values up to floating-point rounding (the
 * rewrites that may change rounding are listed in {@link dev.nnc.compiler.pass.Simplify}). Entry
 * point: {@link dev.nnc.compiler.pass.Passes#optimize}.
 */
package dev.nnc.compiler.pass;
