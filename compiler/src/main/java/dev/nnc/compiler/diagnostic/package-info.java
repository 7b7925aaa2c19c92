/**
 * Diagnostics as values: where a problem is ({@link dev.nnc.compiler.diagnostic.SourceSpan}),
 * what it is ({@link dev.nnc.compiler.diagnostic.Diagnostic}, with a stable
 * {@link dev.nnc.compiler.diagnostic.DiagnosticCode}), the collector every stage reports into,
 * and the one renderer that prints them. Every other stage may import this package.
 */
package dev.nnc.compiler.diagnostic;
