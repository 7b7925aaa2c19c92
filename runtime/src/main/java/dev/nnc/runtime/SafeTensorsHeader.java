package dev.nnc.runtime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The header of a safetensors file: a strict reader of exactly the JSON that the format allows
 * there, and the checks of the tensors' byte ranges against their shapes and each other.
 *
 * <p>The header is an object whose members are tensors ({@code {"dtype": "F32", "shape": [4, 3],
 * "data_offsets": [0, 48]}}, each key exactly once, no other key) and at most one {@code
 * "__metadata__"} object of string values. Numbers are whole, non-negative and written without
 * sign, fraction, exponent or leading zero; strings are UTF-8 with JSON's escapes; whitespace
 * (the writer's padding) may follow the object. Anything else is an error naming the byte offset
 * in the file where it starts.
 */
final class SafeTensorsHeader {

    /** The reference implementation's limit on the header (100 MB): larger is refused unread. */
    static final long MAX_HEADER_BYTES = 100_000_000L;

    /** The 8-byte little-endian header length that starts every file. */
    static final int LENGTH_BYTES = 8;

    private static final String METADATA = "__metadata__";

    /** One tensor of the header; {@code offset} is where its name starts in the file. */
    record Entry(String name, Dtype dtype, int[] shape, long begin, long end, long offset) {
        long elements() {
            long count = 1;
            for (int dim : shape) {
                count *= dim;
            }
            return count;
        }
    }

    /**
     * A checked header: the tensors in data order, the {@code __metadata__} strings, and the
     * length of the data section that follows the header.
     */
    record Contents(List<Entry> entries, Map<String, String> metadata, long dataStart, long dataLength) {

        /** The tensors by name, in data order. */
        Map<String, Entry> byName() {
            Map<String, Entry> map = new LinkedHashMap<>();
            for (Entry entry : entries) {
                map.put(entry.name(), entry);
            }
            return map;
        }

        /**
         * Reads the data section that the header describes from {@code in}, which must end right
         * after it.
         */
        byte[] readData(InputStream in) throws IOException {
            byte[] data = in.readNBytes((int) dataLength);
            if (data.length < dataLength) {
                long end = dataStart + data.length;
                Entry inside = entries.stream()
                        .filter(e -> e.end() > data.length)
                        .findFirst()
                        .orElseThrow();
                throw new ParameterFileException("truncated safetensors file: it ends at byte " + end
                        + ", inside the data of tensor '" + inside.name() + "' (bytes " + (dataStart + inside.begin())
                        + " to " + (dataStart + inside.end()) + ")");
            }
            if (in.read() != -1) {
                throw new ParameterFileException(
                        "malformed safetensors file: bytes follow the last tensor's data at byte "
                                + (dataStart + dataLength) + "; the header's data_offsets must cover the data exactly");
            }
            return data;
        }
    }

    /** The element types nnc reads and writes, with their sizes and the reference's order. */
    enum Dtype {
        F16(2, 7),
        BF16(2, 8),
        F32(4, 11),
        F64(8, 12),
        I64(8, 13);

        final int size;

        /** The position in the reference implementation's list, by which writers sort (descending). */
        final int rank;

        Dtype(int size, int rank) {
            this.size = size;
            this.rank = rank;
        }

        boolean isFloat() {
            return this != I64;
        }
    }

    /** The format's other element types: recognised so that the error says what they are. */
    private static final Set<String> OTHER_DTYPES =
            Set.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16", "I32", "U32", "U64");

    private final byte[] bytes;
    private int position;

    private SafeTensorsHeader(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Reads and checks the length and the header from {@code in}, which is left at the data. */
    static Contents read(InputStream in) throws IOException {
        byte[] prefix = in.readNBytes(LENGTH_BYTES);
        if (prefix.length < LENGTH_BYTES) {
            throw new ParameterFileException("truncated safetensors file: it ends at byte " + prefix.length
                    + ", inside the 8-byte header length");
        }
        long length =
                ByteBuffer.wrap(prefix).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
        if (Long.compareUnsigned(length, MAX_HEADER_BYTES) > 0) {
            throw new ParameterFileException("malformed safetensors file: the header length at byte 0 is "
                    + Long.toUnsignedString(length) + " bytes, more than the format's limit of " + MAX_HEADER_BYTES);
        }
        // readNBytes grows its buffer as bytes arrive, so a short stream never costs the declared length.
        byte[] header = in.readNBytes((int) length);
        if (header.length < length) {
            throw new ParameterFileException("truncated safetensors file: it ends at byte "
                    + (LENGTH_BYTES + header.length) + ", inside the header of " + length + " bytes");
        }
        return new SafeTensorsHeader(header).parse();
    }

    private Contents parse() throws ParameterFileException {
        Map<String, String> metadata = Map.of();
        List<Entry> entries = new ArrayList<>();
        Set<String> keys = new HashSet<>();
        skipWhitespace();
        expect('{');
        skipWhitespace();
        if (peek() == '}') {
            position++;
        } else {
            while (true) {
                skipWhitespace();
                long keyOffset = fileOffset();
                String key = string();
                if (!keys.add(key)) {
                    throw error(keyOffset, "duplicate key \"" + key + "\"");
                }
                skipWhitespace();
                expect(':');
                skipWhitespace();
                if (key.equals(METADATA)) {
                    metadata = metadata();
                } else {
                    entries.add(tensor(key, keyOffset));
                }
                skipWhitespace();
                if (peek() == ',') {
                    position++;
                } else {
                    expect('}');
                    break;
                }
            }
        }
        skipWhitespace();
        if (position < bytes.length) {
            throw error(fileOffset(), "unexpected " + describe(position) + " after the header's closing '}'");
        }
        long dataLength = checkOffsets(entries);
        entries.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        return new Contents(List.copyOf(entries), metadata, LENGTH_BYTES + (long) bytes.length, dataLength);
    }

    private Map<String, String> metadata() throws ParameterFileException {
        Map<String, String> metadata = new LinkedHashMap<>();
        expect('{');
        skipWhitespace();
        if (peek() == '}') {
            position++;
            return metadata;
        }
        while (true) {
            skipWhitespace();
            long keyOffset = fileOffset();
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            if (peek() != '"') {
                throw error(
                        fileOffset(), "expected a string value in \"__metadata__\" but found " + describe(position));
            }
            if (metadata.put(key, string()) != null) {
                throw error(keyOffset, "duplicate key \"" + key + "\" in \"__metadata__\"");
            }
            skipWhitespace();
            if (peek() == ',') {
                position++;
            } else {
                expect('}');
                return metadata;
            }
        }
    }

    private Entry tensor(String name, long nameOffset) throws ParameterFileException {
        long start = fileOffset();
        expect('{');
        String dtypeName = null;
        long dtypeOffset = 0;
        long[] shape = null;
        long[] offsets = null;
        while (true) {
            skipWhitespace();
            long keyOffset = fileOffset();
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            switch (key) {
                case "dtype" -> {
                    requireAbsent(dtypeName, key, name, keyOffset);
                    dtypeOffset = fileOffset();
                    if (peek() != '"') {
                        throw error(dtypeOffset, "expected the dtype of '" + name + "' as a string");
                    }
                    dtypeName = string();
                }
                case "shape" -> {
                    requireAbsent(shape, key, name, keyOffset);
                    shape = numbers(-1);
                }
                case "data_offsets" -> {
                    requireAbsent(offsets, key, name, keyOffset);
                    offsets = numbers(2);
                }
                default ->
                    throw error(
                            keyOffset,
                            "unexpected key \"" + key + "\" in tensor '" + name
                                    + "'; a tensor has \"dtype\", \"shape\" and \"data_offsets\"");
            }
            skipWhitespace();
            if (peek() == ',') {
                position++;
            } else {
                expect('}');
                break;
            }
        }
        requirePresent(dtypeName, "dtype", name, start);
        requirePresent(shape, "shape", name, start);
        requirePresent(offsets, "data_offsets", name, start);
        return new Entry(
                name,
                dtype(dtypeName, name, dtypeOffset),
                dims(shape, name, start),
                offsets[0],
                offsets[1],
                nameOffset);
    }

    private static void requireAbsent(Object seen, String key, String name, long offset) throws ParameterFileException {
        if (seen != null) {
            throw error(offset, "duplicate key \"" + key + "\" in tensor '" + name + "'");
        }
    }

    private static void requirePresent(Object value, String key, String name, long offset)
            throws ParameterFileException {
        if (value == null) {
            throw error(offset, "tensor '" + name + "' has no \"" + key + "\"");
        }
    }

    private static Dtype dtype(String text, String name, long offset) throws ParameterFileException {
        for (Dtype dtype : Dtype.values()) {
            if (dtype.name().equals(text)) {
                return dtype;
            }
        }
        throw error(
                offset,
                "tensor '" + name + "' has dtype " + text
                        + (OTHER_DTYPES.contains(text)
                                ? ", which nnc does not read"
                                : ", which safetensors does not define")
                        + "; nnc reads F32, F64, F16 and BF16 (and I64 for num_batches_tracked)");
    }

    private static int[] dims(long[] shape, String name, long offset) throws ParameterFileException {
        int[] dims = new int[shape.length];
        for (int d = 0; d < shape.length; d++) {
            if (shape[d] > Integer.MAX_VALUE) {
                throw error(offset, "tensor '" + name + "' has dimension " + shape[d] + ", more than nnc can hold");
            }
            dims[d] = (int) shape[d];
        }
        return dims;
    }

    /**
     * Checks each tensor's byte range against its shape and dtype, and that the ranges tile the
     * data section from 0 without gap or overlap; returns its length.
     */
    private static long checkOffsets(List<Entry> entries) throws ParameterFileException {
        for (Entry entry : entries) {
            if (entry.end() < entry.begin()) {
                throw error(
                        entry.offset(),
                        "tensor '" + entry.name() + "' has data_offsets [" + entry.begin() + ", " + entry.end()
                                + "], which end before they begin");
            }
            long bytes;
            try {
                long elements = 1;
                for (int dim : entry.shape()) {
                    elements = Math.multiplyExact(elements, dim);
                }
                bytes = Math.multiplyExact(elements, entry.dtype().size);
            } catch (ArithmeticException e) {
                throw error(entry.offset(), "tensor '" + entry.name() + "' has a shape too large to hold");
            }
            if (entry.end() - entry.begin() != bytes) {
                throw error(
                        entry.offset(),
                        "tensor '" + entry.name() + "' of dtype " + entry.dtype() + " and shape "
                                + Arrays.toString(entry.shape()) + " needs " + bytes + " bytes, but its data_offsets ["
                                + entry.begin() + ", " + entry.end() + "] hold " + (entry.end() - entry.begin()));
            }
        }
        List<Entry> ordered = new ArrayList<>(entries);
        ordered.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long end = 0;
        Entry previous = null;
        for (Entry entry : ordered) {
            if (entry.begin() < end) {
                throw error(
                        entry.offset(),
                        "the data of tensor '" + entry.name() + "' (bytes " + entry.begin() + " to " + entry.end()
                                + " of the data) overlaps that of '" + previous.name() + "' (" + previous.begin()
                                + " to " + previous.end() + ")");
            }
            if (entry.begin() > end) {
                throw error(
                        entry.offset(),
                        "the data of tensor '" + entry.name() + "' begins at byte " + entry.begin()
                                + " of the data, but "
                                + (previous == null
                                        ? "the data begins at 0"
                                        : "that of '" + previous.name() + "' ends at " + end)
                                + "; tensors must follow each other without gaps");
            }
            end = entry.end();
            previous = entry;
        }
        if (end > Integer.MAX_VALUE - 8) {
            throw new ParameterFileException("safetensors file too large: its data section of " + end
                    + " bytes is more than nnc reads at once (2 GB)");
        }
        return end;
    }

    /** An array of whole numbers; exactly {@code count} of them unless {@code count} is -1. */
    private long[] numbers(int count) throws ParameterFileException {
        long start = fileOffset();
        expect('[');
        List<Long> values = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            position++;
        } else {
            while (true) {
                skipWhitespace();
                values.add(number());
                skipWhitespace();
                if (peek() == ',') {
                    position++;
                } else {
                    expect(']');
                    break;
                }
            }
        }
        if (count >= 0 && values.size() != count) {
            throw error(start, "expected " + count + " numbers but found " + values.size());
        }
        return values.stream().mapToLong(Long::longValue).toArray();
    }

    private long number() throws ParameterFileException {
        long start = fileOffset();
        int first = position;
        while (position < bytes.length && bytes[position] >= '0' && bytes[position] <= '9') {
            position++;
        }
        if (position == first) {
            throw error(start, "expected a whole number but found " + describe(first));
        }
        if (bytes[first] == '0' && position - first > 1) {
            throw error(start, "a number has a leading zero");
        }
        if (position < bytes.length && (bytes[position] == '.' || bytes[position] == 'e' || bytes[position] == 'E')) {
            throw error(start, "expected a whole number but found a fraction or exponent");
        }
        String digits = new String(bytes, first, position - first, StandardCharsets.US_ASCII);
        try {
            return Long.parseLong(digits);
        } catch (NumberFormatException e) {
            throw error(start, "the number " + digits + " is too large");
        }
    }

    /** A JSON string at the position: its escapes resolved, its bytes strict UTF-8. */
    private String string() throws ParameterFileException {
        long start = fileOffset();
        if (peek() != '"') {
            throw error(start, "expected a string but found " + describe(position));
        }
        position++;
        ByteArrayOutputStream utf8 = new ByteArrayOutputStream();
        while (true) {
            if (position >= bytes.length) {
                throw error(fileOffset(), "unterminated string");
            }
            int b = bytes[position] & 0xFF;
            if (b == '"') {
                position++;
                break;
            }
            if (b < 0x20) {
                throw error(fileOffset(), "control character " + describe(position) + " in a string");
            }
            if (b != '\\') {
                utf8.write(b);
                position++;
                continue;
            }
            long escapeOffset = fileOffset();
            position++;
            if (position >= bytes.length) {
                throw error(fileOffset(), "unterminated string");
            }
            int escape = bytes[position++];
            switch (escape) {
                case '"', '\\', '/' -> utf8.write(escape);
                case 'b' -> utf8.write('\b');
                case 'f' -> utf8.write('\f');
                case 'n' -> utf8.write('\n');
                case 'r' -> utf8.write('\r');
                case 't' -> utf8.write('\t');
                case 'u' -> {
                    int unit = hex4(escapeOffset);
                    String text;
                    if (Character.isHighSurrogate((char) unit)) {
                        if (position + 1 >= bytes.length || bytes[position] != '\\' || bytes[position + 1] != 'u') {
                            throw error(escapeOffset, "lone surrogate \\u" + hex(unit) + " in a string");
                        }
                        position += 2;
                        int low = hex4(escapeOffset);
                        if (!Character.isLowSurrogate((char) low)) {
                            throw error(escapeOffset, "lone surrogate \\u" + hex(unit) + " in a string");
                        }
                        text = new String(new char[] {(char) unit, (char) low});
                    } else if (Character.isLowSurrogate((char) unit)) {
                        throw error(escapeOffset, "lone surrogate \\u" + hex(unit) + " in a string");
                    } else {
                        text = String.valueOf((char) unit);
                    }
                    utf8.writeBytes(text.getBytes(StandardCharsets.UTF_8));
                }
                default -> throw error(escapeOffset, "invalid escape \\" + (char) escape + " in a string");
            }
        }
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(utf8.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw error(start, "a string is not valid UTF-8");
        }
    }

    private int hex4(long escapeOffset) throws ParameterFileException {
        if (position + 4 > bytes.length) {
            throw error(escapeOffset, "incomplete \\u escape in a string");
        }
        int value = 0;
        for (int i = 0; i < 4; i++) {
            int digit = Character.digit(bytes[position + i], 16);
            if (digit < 0) {
                throw error(escapeOffset, "invalid \\u escape in a string");
            }
            value = value * 16 + digit;
        }
        position += 4;
        return value;
    }

    private static String hex(int unit) {
        return String.format(Locale.ROOT, "%04x", unit);
    }

    private void expect(char c) throws ParameterFileException {
        if (peek() != c) {
            throw error(fileOffset(), "expected '" + c + "' but found " + describe(position));
        }
        position++;
    }

    /** The byte at the position, or -1 at the end of the header. */
    private int peek() {
        return position < bytes.length ? bytes[position] & 0xFF : -1;
    }

    private void skipWhitespace() {
        while (position < bytes.length) {
            byte b = bytes[position];
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return;
            }
            position++;
        }
    }

    private long fileOffset() {
        return LENGTH_BYTES + (long) position;
    }

    private String describe(int at) {
        if (at >= bytes.length) {
            return "the end of the header";
        }
        int b = bytes[at] & 0xFF;
        return b >= 0x20 && b < 0x7F ? "'" + (char) b + "'" : String.format(Locale.ROOT, "byte 0x%02x", b);
    }

    private static ParameterFileException error(long offset, String message) {
        return new ParameterFileException("malformed safetensors header at byte " + offset + ": " + message);
    }
}
