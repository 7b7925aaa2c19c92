package dev.nnc.runtime;

/**
 * The 16-bit floating-point formats in which trained weights arrive (safetensors' F16 and BF16,
 * ONNX's FLOAT16 and BFLOAT16), widened exactly to double. Java 17 has no such conversion.
 */
public final class HalfFloats {
    private HalfFloats() {}

    /**
     * The IEEE 754 half-precision number with the bits {@code bits}, exactly: normal and
     * subnormal numbers, signed zeros, infinities and NaN.
     */
    public static double halfToDouble(short bits) {
        int exponent = (bits >>> 10) & 0x1F;
        int mantissa = bits & 0x3FF;
        double magnitude;
        if (exponent == 0x1F) {
            magnitude = mantissa == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (exponent == 0) {
            magnitude = mantissa * 0x1p-24;
        } else {
            // (1 + mantissa / 2^10) * 2^(exponent - 15)
            magnitude = Math.scalb((double) (0x400 | mantissa), exponent - 25);
        }
        return bits < 0 ? -magnitude : magnitude;
    }

    /** The bfloat16 number with the bits {@code bits}: the upper half of a float's bits. */
    public static double bfloat16ToDouble(short bits) {
        return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    }
}
