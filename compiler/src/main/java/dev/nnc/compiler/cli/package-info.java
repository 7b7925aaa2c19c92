/**
 * The command line: {@link dev.nnc.compiler.cli.Main} parses {@code nnc COMMAND ARGS} and runs
 * one {@link dev.nnc.compiler.cli.Command} per subcommand ({@code check}, {@code generate},
 * {@code report}, {@code export-onnx}, {@code import-onnx}), printing diagnostics as the compiler renders them.
 */
package dev.nnc.compiler.cli;
