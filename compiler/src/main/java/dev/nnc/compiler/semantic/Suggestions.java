package dev.nnc.compiler.semantic;

import java.util.Collection;
import java.util.Optional;

/**
 * "Did you mean" for misspelt names: the closest candidate by Damerau-Levenshtein distance
 * (optimal string alignment, so one swap of neighbours counts one edit), if it is close enough
 * to be a plausible typo rather than a different word.
 */
final class Suggestions {
    private Suggestions() {}

    /** The closest candidate within the distance allowed for {@code word}, first one on ties. */
    static Optional<String> closest(String word, Collection<String> candidates) {
        // One edit in a three-letter word is already a third of it; allow two only for longer words.
        int allowed = word.length() <= 3 ? 1 : 2;
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            if (candidate.equals(word)) {
                continue;
            }
            int distance = distance(word, candidate);
            if (distance <= allowed && distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code "did you mean 'x'?"}, or empty when nothing is close. */
    static Optional<String> didYouMean(String word, Collection<String> candidates) {
        return closest(word, candidates).map(s -> "did you mean '" + s + "'?");
    }

    /** {@code "did you mean 'x'?"}, else the list of what is known ("known optimizers: ..."). */
    static String didYouMeanOrList(String word, Collection<String> candidates, String what) {
        return didYouMean(word, candidates).orElseGet(() -> "known " + what + ": " + String.join(", ", candidates));
    }

    /** The optimal-string-alignment distance between {@code a} and {@code b}. */
    static int distance(String a, String b) {
        // Names longer than any identifier a person types are never typos of each other; this
        // also bounds the quadratic cost on pathological inputs.
        if (Math.abs(a.length() - b.length()) > 2 || a.length() > 64 || b.length() > 64) {
            return Integer.MAX_VALUE;
        }
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
