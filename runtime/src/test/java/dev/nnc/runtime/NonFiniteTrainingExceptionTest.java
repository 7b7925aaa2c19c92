package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.NonFiniteTrainingException.Quantity;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NonFiniteTrainingExceptionTest {

    @Test
    void messageNamesQuantityValueAndStepAndSuggestsAFix() {
        NonFiniteTrainingException e = new NonFiniteTrainingException(17, Quantity.LOSS, Double.NaN);
        assertTrue(e.getMessage().startsWith("loss is NaN at training step 17."), e.getMessage());
        assertTrue(e.getMessage().contains("lower learning rate"), e.getMessage());
        assertEquals(17, e.step());
        assertEquals(Quantity.LOSS, e.quantity());
        assertEquals(Optional.empty(), e.parameterName());
        assertEquals(-1, e.parameterIndex());
    }

    @Test
    void messageNamesTheFirstOffendingParameterEntry() {
        NonFiniteTrainingException e =
                new NonFiniteTrainingException(3, Quantity.GRADIENT, Double.POSITIVE_INFINITY, "hidden.weight", 5);
        assertTrue(
                e.getMessage()
                        .startsWith("gradient is +Infinity at training step 3;"
                                + " first non-finite gradient entry: hidden.weight[5]."),
                e.getMessage());
        assertEquals(Optional.of("hidden.weight"), e.parameterName());
        assertEquals(5, e.parameterIndex());
    }

    @Test
    void withLocationKeepsTheFieldsAndAddsTheLocation() {
        NonFiniteTrainingException original =
                new NonFiniteTrainingException(9, Quantity.GRADIENT, Double.NaN, "out.bias", 0);
        NonFiniteTrainingException located = original.withLocation("epoch 2/10, batch 4/8");
        assertTrue(
                located.getMessage().startsWith("gradient is NaN at training step 9 (epoch 2/10, batch 4/8);"),
                located.getMessage());
        assertEquals(Optional.of("epoch 2/10, batch 4/8"), located.location());
        assertEquals(Optional.of("out.bias"), located.parameterName());
        assertSame(original, located.getCause());
    }

    @Test
    void rejectsANegativeParameterIndex() {
        assertThrows(
                IllegalArgumentException.class,
                () -> new NonFiniteTrainingException(1, Quantity.GRADIENT, Double.NaN, "w", -1));
    }
}
