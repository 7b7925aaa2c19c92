/**
 * The abstract syntax tree: immutable records with source spans, exactly what the user wrote
 * (no names resolved, no shapes known). Built by {@link dev.nnc.compiler.frontend.FrontEnd}.
 */
package dev.nnc.compiler.frontend.ast;
