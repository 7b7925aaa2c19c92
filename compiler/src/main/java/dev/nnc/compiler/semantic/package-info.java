/**
 * The semantic stage: the {@linkplain dev.nnc.compiler.frontend.ast AST} in, a
 * {@link dev.nnc.compiler.semantic.CheckedUnit} out, with every name resolved, every constant
 * folded, every shape inferred and checked, and every call's arguments bound with defaults.
 * Entry point: {@link dev.nnc.compiler.semantic.SemanticChecker}; limits in
 * {@link dev.nnc.compiler.semantic.Limits}.
 */
package dev.nnc.compiler.semantic;
