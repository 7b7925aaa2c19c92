/**
 * The front end: a file's bytes to the {@linkplain dev.nnc.compiler.frontend.ast AST}, through
 * strict decoding, the ANTLR lexer and parser of {@code nnc-dsl-grammar}, and our own syntax
 * diagnostics. Entry point: {@link dev.nnc.compiler.frontend.FrontEnd}.
 */
package dev.nnc.compiler.frontend;
