/**
 * The loop-nest level between the graph and Java: an op lowers once into loops over flat arrays
 * ({@link dev.nnc.compiler.loops.Stmt}, {@link dev.nnc.compiler.loops.Value}, indices {@link
 * dev.nnc.compiler.loops.Affine} in the loop variables), the {@link
 * dev.nnc.compiler.loops.Scheduler} rewrites the nest (loops of one iteration, guards the bounds
 * prove, loops cut at the padding, runs of a row), and the code generator writes it as Java
 * without knowing which op it came from.
 *
 * <p>Input: a {@link dev.nnc.compiler.graph.Node} of an optimised graph. Output: the statements
 * that compute it for one sample. Entry point: {@link dev.nnc.compiler.loops.Loops}. The pools,
 * channel sums, a convolution's col2im and its patches lower here; docs/codegen.md ("Loop nests") describes the design and which
 * families follow.
 */
package dev.nnc.compiler.loops;
