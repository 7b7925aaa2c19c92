package dev.nnc.compiler.codegen;

import dev.nnc.compiler.codegen.AcceptedSpecs.Candidate;
import dev.nnc.compiler.codegen.AcceptedSpecs.Defect;
import dev.nnc.compiler.codegen.AcceptedSpecs.Outcome;
import dev.nnc.compiler.testing.RandomSpecs.Spec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Shrinks the spec of a defect by deleting runs of lines (halves, then quarters, down to single
 * lines) while the smaller spec is still accepted by check and still shows a defect with the
 * same key. The generator writes one statement per line, so a deletion removes whole statements.
 */
final class Minimiser {
    private static final Duration BUDGET = Duration.ofSeconds(30);
    private static final int MAX_LINES = 400;

    private Minimiser() {}

    static Candidate minimise(Defect defect) {
        Candidate best = defect.candidate();
        List<String> lines = new ArrayList<>(best.spec().text().lines().toList());
        if (lines.size() > MAX_LINES) {
            return best;
        }
        Instant deadline = Instant.now().plus(BUDGET);
        int chunk = Math.max(1, lines.size() / 2);
        while (chunk >= 1 && Instant.now().isBefore(deadline)) {
            boolean removed = false;
            for (int start = 0; start < lines.size() && Instant.now().isBefore(deadline); ) {
                List<String> smaller = new ArrayList<>(lines.subList(0, start));
                smaller.addAll(lines.subList(Math.min(lines.size(), start + chunk), lines.size()));
                Candidate candidate = new Candidate(
                        best.seed(),
                        best.unique(),
                        new Spec(best.spec().kind(), best.spec().fileName(), String.join("\n", smaller) + "\n"));
                if (!smaller.isEmpty() && reproduces(candidate, defect.key())) {
                    lines = smaller;
                    best = candidate;
                    removed = true;
                } else {
                    start += chunk;
                }
            }
            if (!removed) {
                chunk /= 2;
            }
        }
        return best;
    }

    private static boolean reproduces(Candidate candidate, String key) {
        Outcome outcome = AcceptedSpecs.run(List.of(candidate));
        return outcome.defects.stream().anyMatch(d -> d.key().equals(key));
    }
}
