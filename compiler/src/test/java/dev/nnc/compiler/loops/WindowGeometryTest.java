package dev.nnc.compiler.loops;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.graph.Window;
import dev.nnc.compiler.semantic.Shape;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which convolutions run straight from their input rather than through patches. */
class WindowGeometryTest {

    @Test
    void theConvolutionsOfTheSuiteKeepTheirPatches() {
        // LeNet-5's first convolution (5x5, padding 2 on 28x28) and the digits CNN's second.
        assertFalse(geometry(List.of(5, 5), 2, 1, Shape.of(1, 28, 28)).patchesTooLarge());
        assertFalse(geometry(List.of(3, 3), 1, 1, Shape.of(16, 4, 4)).patchesTooLarge());
    }

    @Test
    void aPaddingPastWhatTheWindowSpansGoesStraightToTheInput() {
        // kernel 3 spans 2 beyond its first tap: padding 2 stays within it, padding 3 does not;
        // a dilation of 2 spans 4.
        assertFalse(geometry(List.of(3, 3), 2, 1, Shape.of(1, 8, 8)).patchesTooLarge());
        assertTrue(geometry(List.of(3, 3), 3, 1, Shape.of(1, 8, 8)).patchesTooLarge());
        assertFalse(geometry(List.of(3), 4, 2, Shape.of(1, 8)).patchesTooLarge());
        assertTrue(geometry(List.of(3), 5, 2, Shape.of(1, 8)).patchesTooLarge());
        // The spec that ran a test JVM out of heap: 2,304 taps by 268,324 outputs.
        assertTrue(geometry(List.of(3, 3), 256, 1, Shape.of(256, 8, 8)).patchesTooLarge());
    }

    @Test
    void patchesOfMoreThanSixteenMillionElementsGoStraightToTheInput() {
        // A 1-D convolution of kernel 1 over 64 channels: 64 taps by the signal's length.
        assertFalse(geometry(List.of(1), 0, 1, Shape.of(64, 262_144)).patchesTooLarge());
        assertTrue(geometry(List.of(1), 0, 1, Shape.of(64, 262_145)).patchesTooLarge());
        // 3x3 over 64 channels: 576 taps by 128x128 outputs keep their patches, by 192x192 not.
        assertFalse(geometry(List.of(3, 3), 1, 1, Shape.of(64, 128, 128)).patchesTooLarge());
        assertTrue(geometry(List.of(3, 3), 1, 1, Shape.of(64, 192, 192)).patchesTooLarge());
    }

    private static WindowGeometry geometry(List<Integer> kernel, int padding, int dilation, Shape input) {
        List<Integer> ones = kernel.stream().map(k -> 1).toList();
        List<Integer> pads = kernel.stream().map(k -> padding).toList();
        List<Integer> dilations = kernel.stream().map(k -> dilation).toList();
        return WindowGeometry.of(new Window(kernel, ones, pads, pads, dilations), input);
    }
}
