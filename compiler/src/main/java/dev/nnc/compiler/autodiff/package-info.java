/**
 * Reverse-mode symbolic differentiation.
 *
 * <p>Input: a per-sample {@link dev.nnc.compiler.graph.Graph} with a scalar output (a network's
 * training graph, a function's graph). Output: the same graph extended with adjoint nodes and one
 * {@link dev.nnc.compiler.graph.Output.Kind#GRADIENT} output per requested leaf. The derivative
 * rules themselves live with the ops ({@link dev.nnc.compiler.graph.Op#differentiate}); this
 * package only schedules them. Entry point: {@link dev.nnc.compiler.autodiff.ReverseMode}.
 */
package dev.nnc.compiler.autodiff;
