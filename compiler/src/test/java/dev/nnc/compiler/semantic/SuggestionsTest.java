package dev.nnc.compiler.semantic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
    @Test
    void countsASwapOfNeighboursAsOneEdit() {
        assertEquals(1, Suggestions.distance("tahn", "tanh"));
        assertEquals(Optional.of("relu"), Suggestions.closest("rleu", List.of("sigmoid", "relu")));
    }

    @Test
    void suggestsNothingForAnUnrelatedWord() {
        assertEquals(Optional.empty(), Suggestions.closest("swish", List.of("sigmoid", "tanh", "relu")));
    }

    @Test
    void allowsOnlyOneEditInShortWords() {
        assertEquals(Optional.empty(), Suggestions.closest("ab", List.of("xyz")));
        assertEquals(Optional.of("sgd"), Suggestions.closest("sdg", List.of("sgd", "adam")));
    }
}
