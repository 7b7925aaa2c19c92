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
 *
 * <p>Adding an op: one record in the family interface that fits ({@link
 * dev.nnc.compiler.graph.UnaryOp}, {@link dev.nnc.compiler.graph.BinaryOp}, ...) with its shape
 * rule, cost, reference evaluation and derivative rule; a method in {@link
 * dev.nnc.compiler.graph.OpVisitor} (the compiler then lists every visitor to update); a case in
 * {@code OpGradientTest}.
 *
 * <p>Pipeline for a trainable network, as a back end uses it:
 *
 * <pre>{@code
 * Graph prediction = Passes.optimize(Lowering.lower(network, Lowering.Mode.PREDICTION));
 * Graph training = Passes.optimize(ReverseMode.differentiateLoss(
 *         Lowering.lower(network, Lowering.Mode.TRAINING), network));
 * OpCount counts = OpCount.of(training);   // forward and backward operations per sample
 * }</pre>
 */
package dev.nnc.compiler.graph;
