package dev.nnc.compiler.frontend;

import dev.nnc.compiler.diagnostic.DiagnosticCode;
import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.SourceSpan;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * Decodes a file's bytes as strict UTF-8. Java's usual decoding silently turns bad bytes into
 * U+FFFD; here the first bad byte becomes a diagnostic at its line and column, because a
 * spec in another encoding (or a binary file) should be named as such, not misread.
 */
final class SourceDecoder {
    private SourceDecoder() {}

    static Optional<String> decode(String fileName, byte[] bytes, Diagnostics diagnostics) {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes);
        CharBuffer out = CharBuffer.allocate(bytes.length + 1);
        CoderResult result = decoder.decode(in, out, true);
        if (result.isError()) {
            reportBadByte(fileName, bytes, in.position(), diagnostics);
            return Optional.empty();
        }
        result = decoder.flush(out);
        if (result.isError()) {
            reportBadByte(fileName, bytes, in.position(), diagnostics);
            return Optional.empty();
        }
        out.flip();
        return Optional.of(out.toString());
    }

    private static void reportBadByte(String fileName, byte[] bytes, int offset, Diagnostics diagnostics) {
        // Position of the bad byte: decode the valid prefix to count lines and code points.
        String prefix;
        try {
            prefix = StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(ByteBuffer.wrap(bytes, 0, offset))
                    .toString();
        } catch (CharacterCodingException e) {
            prefix = "";
        }
        int line = 1;
        int lineStart = 0;
        for (int i = 0; i < prefix.length(); i++) {
            if (prefix.charAt(i) == '\n') {
                line++;
                lineStart = i + 1;
            }
        }
        int column = prefix.codePointCount(lineStart, prefix.length()) + 1;
        int start = prefix.codePointCount(0, prefix.length());
        String what = offset < bytes.length
                ? String.format(Locale.ROOT, "byte 0x%02X cannot start or continue a character", bytes[offset] & 0xFF)
                : "the file ends inside a character";
        diagnostics.reportWithHelp(
                DiagnosticCode.SYNTAX_INVALID_ENCODING,
                SourceSpan.of(fileName, line, column, start, 1),
                "save the file as UTF-8",
                what);
    }
}
