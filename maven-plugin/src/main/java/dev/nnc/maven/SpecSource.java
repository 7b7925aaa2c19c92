package dev.nnc.maven;

import java.nio.file.Path;

/**
 * One specification found under a source root.
 *
 * @param file the file to read
 * @param relativePath its path under the source root with {@code /} separators, e.g. {@code
 *     com/acme/xor.nn}; it decides the default package and keys the incremental state
 * @param displayName how diagnostics name it: relative to the project base directory when the
 *     file lies inside it ({@code src/main/nn/com/acme/xor.nn}), absolute otherwise
 */
record SpecSource(Path file, String relativePath, String displayName) {}
