package dev.nnc.compiler.codegen;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Number literals for generated code, formatted by our own routine: the shortest decimal that
 * reads back as the same value, computed with exact {@link BigDecimal} arithmetic. {@code
 * Double.toString} changed its output for some values in JDK 19, and generated files must be
 * byte-identical whichever JDK runs the compiler.
 */
final class Literals {
    private Literals() {}

    /**
     * A Java {@code double} literal: {@code 0.5}, {@code 1.0E-4}, {@code 2.0}. NaN and the
     * infinities are the constant expressions that define {@code Double.NaN} and its
     * neighbours, so that no literal names a type a spec's names could hide.
     */
    static String ofDouble(double value) {
        if (Double.isNaN(value)) {
            return "(0.0 / 0.0)";
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? "(1.0 / 0.0)" : "(-1.0 / 0.0)";
        }
        if (value == 0) {
            return (1 / value < 0) ? "-0.0" : "0.0";
        }
        for (int digits = 1; digits <= 17; digits++) {
            BigDecimal rounded = new BigDecimal(value).round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (rounded.doubleValue() == value) {
                return javaForm(rounded);
            }
        }
        return javaForm(new BigDecimal(value));
    }

    /** A Java {@code float} literal ({@code 0.5f}) for a value already rounded to float. */
    static String ofFloat(float value) {
        if (Float.isNaN(value)) {
            return "(0.0f / 0.0f)";
        }
        if (Float.isInfinite(value)) {
            return value > 0 ? "(1.0f / 0.0f)" : "(-1.0f / 0.0f)";
        }
        if (value == 0) {
            return (1 / value < 0) ? "-0.0f" : "0.0f";
        }
        for (int digits = 1; digits <= 9; digits++) {
            BigDecimal rounded = new BigDecimal(value).round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (rounded.floatValue() == value) {
                return javaForm(rounded) + "f";
            }
        }
        return javaForm(new BigDecimal(value)) + "f";
    }

    /** Plain notation between 1e-3 and 1e7, otherwise {@code d.dddE±x}; always a double literal. */
    private static String javaForm(BigDecimal value) {
        BigDecimal abs = value.abs();
        if (abs.compareTo(new BigDecimal("1e-3")) >= 0 && abs.compareTo(new BigDecimal("1e7")) < 0) {
            String plain = value.stripTrailingZeros().toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        BigDecimal unscaled = value.stripTrailingZeros();
        int exponent = unscaled.precision() - unscaled.scale() - 1;
        BigDecimal mantissa = unscaled.movePointLeft(exponent);
        String digits = mantissa.toPlainString();
        if (!digits.contains(".")) {
            digits = digits + ".0";
        }
        return digits + "E" + exponent;
    }
}
