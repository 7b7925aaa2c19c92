/**
 * The graph IR: SSA nodes of tensor operations with static shapes, and the one place where the
 * meaning of every operation lives.
 *
 * <p>Input: a checked {@link dev.nnc.compiler.semantic.Declaration} (networks and functions).
 * Output: a {@link dev.nnc.compiler.graph.Graph} built by {@link dev.nnc.compiler.graph.Lowering},
 * whose nodes are numbered in a topological order and whose {@link dev.nnc.compiler.graph.Output}s
 * name the prediction, loss, function value and (after differentiation) the gradients.
 *
 * <p>Each operation is a record implementing {@link dev.nnc.compiler.graph.Op}: its shape rule,
 * derivative rule (written in IR, see {@link dev.nnc.compiler.graph.Contributions}), cost, double
 * reference evaluation and mnemonic. Back ends dispatch over ops with {@link
 * dev.nnc.compiler.graph.OpVisitor}, which the Java compiler keeps exhaustive. {@link
 * dev.nnc.compiler.graph.Evaluator} is the reference interpreter used by tests and reports, {@link
 * dev.nnc.compiler.graph.GraphPrinter} the stable text form, {@link dev.nnc.compiler.graph.OpCount}
 * the per-sample operation counts.
 */
package dev.nnc.compiler.graph;
