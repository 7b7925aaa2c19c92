package dev.nnc.compiler.codegen;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nnc.compiler.codegen.AcceptedSpecs.Candidate;
import dev.nnc.compiler.codegen.AcceptedSpecs.Defect;
import dev.nnc.compiler.codegen.AcceptedSpecs.Outcome;
import dev.nnc.compiler.testing.RandomSpecs;
import dev.nnc.compiler.testing.RandomSpecs.Kind;
import dev.nnc.compiler.testing.RandomSpecs.Scale;
import dev.nnc.compiler.testing.RandomSpecs.Spec;
import dev.nnc.compiler.testing.Trials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Accepted must mean correct: every spec that {@code Compiler.check} accepts generates Java that
 * javac compiles and that passes {@link AcceptedRule} (parameters round-trip, predictions are
 * finite, gradients match central differences). The specs come from {@link RandomSpecs}, every
 * kind of it, from seeds fixed by {@value Trials#SEED_PROPERTY} (default {@link
 * Trials#DEFAULT_SEED}), so a CI run checks the same specs every time.
 *
 * <p>A failure lists each distinct defect once (grouped by stage and first javac error or
 * exception message), with its seeds and the smallest spec that shows it. To rerun one spec:
 * {@code -Dnnc.accepted.reproduce=KIND:SEED}.
 *
 * <p>Campaign mode, {@code -Dnnc.campaign.minutes=30}, draws specs from fresh seeds (the base
 * seed is {@code nnc.campaign.seed}, or the clock, and is printed) for that long at larger sizes,
 * minimises one spec of each distinct defect by deleting lines, and writes its summary to {@code
 * target/campaign/summary.md}.
 */
class AcceptedSpecsTest {
    private static final String REPRODUCE_PROPERTY = "nnc.accepted.reproduce";
    private static final String CAMPAIGN_MINUTES = "nnc.campaign.minutes";
    private static final String CAMPAIGN_SEED = "nnc.campaign.seed";
    private static final Path CAMPAIGN_DIRECTORY = Path.of("target", "campaign");

    /** Specs per kind in CI; specs per javac run. */
    private static final Map<Kind, Integer> CI_COUNTS = ciCounts();

    private static final int BATCH = 40;

    private static Map<Kind, Integer> ciCounts() {
        Map<Kind, Integer> counts = new LinkedHashMap<>();
        for (Kind kind : Kind.values()) {
            counts.put(
                    kind,
                    switch (kind) {
                        case MIXED -> 90;
                        case LONG -> 5;
                        case DEEP -> 8;
                        case SHAPED -> 24;
                        default -> 32;
                    });
        }
        return counts;
    }

    @Test
    void everyAcceptedSpecCompilesRoundTripsItsParametersAndHasTheRightGradient() {
        assumeTrue(System.getProperty(CAMPAIGN_MINUTES) == null, "campaign mode runs instead");
        long base = baseSeed();
        List<Candidate> candidates = new ArrayList<>();
        for (Map.Entry<Kind, Integer> entry : CI_COUNTS.entrySet()) {
            long[] seeds = new SplittableRandom(base + entry.getKey().ordinal())
                    .longs(entry.getValue())
                    .toArray();
            for (long seed : seeds) {
                candidates.add(candidate(entry.getKey(), seed, Scale.CI));
            }
        }
        Outcome outcome = runInBatches(candidates);
        writeReport("ci-report.txt", outcome.report());
        assertTrue(
                outcome.accepted == outcome.tried,
                () -> "check rejects generated specs (a bug of RandomSpecs, see RandomSpecsTest): " + outcome.rejections
                        + "\n" + outcome.report());
        assertTrue(outcome.defects.isEmpty(), outcome::report);
    }

    /**
     * Reruns one spec: {@code KIND:SEED} as CI draws it, {@code KIND:SEED:campaign} as a campaign
     * does, or the path of a {@code .nn} file (relative to the compiler module).
     */
    @Test
    void reproduceOneSpec() throws IOException {
        String value = System.getProperty(REPRODUCE_PROPERTY);
        assumeTrue(value != null && !value.isBlank(), "set -D" + REPRODUCE_PROPERTY + "=KIND:SEED");
        Candidate candidate;
        if (value.strip().endsWith(".nn")) {
            Path file = Path.of(value.strip());
            candidate = new Candidate(
                    -1, "file0", new Spec(Kind.MIXED, file.getFileName().toString(), Files.readString(file)));
        } else {
            String[] parts = value.strip().split(":");
            Scale scale = parts.length > 2 && parts[2].equalsIgnoreCase("campaign") ? Scale.CAMPAIGN : Scale.CI;
            candidate = candidate(Kind.valueOf(parts[0].toUpperCase(Locale.ROOT)), Long.decode(parts[1]), scale);
        }
        Outcome outcome = AcceptedSpecs.run(List.of(candidate));
        System.out.println(candidate.spec());
        assertTrue(outcome.accepted == 1, () -> "check rejects the spec: " + outcome.rejections);
        assertTrue(outcome.defects.isEmpty(), outcome::report);
    }

    @Test
    void campaign() {
        String minutes = System.getProperty(CAMPAIGN_MINUTES);
        assumeTrue(minutes != null && !minutes.isBlank(), "set -D" + CAMPAIGN_MINUTES + "=N for a campaign");
        String seedText = System.getProperty(CAMPAIGN_SEED);
        long base = seedText == null || seedText.isBlank() ? System.nanoTime() : Long.decode(seedText.strip());
        Instant start = Instant.now();
        Instant deadline = start.plus(Duration.ofSeconds((long) (Double.parseDouble(minutes) * 60)));
        SplittableRandom seeds = new SplittableRandom(base);
        Kind[] kinds = Kind.values();
        Outcome total = new Outcome();
        Map<String, Candidate> minimised = new LinkedHashMap<>();
        Duration shrinking = Duration.ZERO;
        while (Instant.now().isBefore(deadline)) {
            List<Candidate> batch = new ArrayList<>();
            for (int i = 0; i < BATCH; i++) {
                Kind kind = kinds[seeds.nextInt(kinds.length)];
                batch.add(candidate(kind, seeds.nextLong(), Scale.CAMPAIGN));
            }
            Outcome outcome = AcceptedSpecs.run(batch);
            total.add(outcome);
            for (Defect defect : outcome.defects) {
                // Shrinking gets at most a third of the time, so that most of it goes to new inputs.
                boolean affordable = shrinking
                                .multipliedBy(2)
                                .compareTo(
                                        Duration.between(start, Instant.now()).minus(shrinking))
                        <= 0;
                if (!minimised.containsKey(defect.key())) {
                    Instant before = Instant.now();
                    minimised.put(
                            defect.key(),
                            affordable && before.isBefore(deadline) ? Minimiser.minimise(defect) : defect.candidate());
                    shrinking = shrinking.plus(Duration.between(before, Instant.now()));
                }
            }
            writeReport("summary.md", summary(base, start, total, minimised));
        }
        System.out.println(summary(base, start, total, minimised));
        assertTrue(total.defects.isEmpty(), total::report);
    }

    private static String summary(long base, Instant start, Outcome total, Map<String, Candidate> minimised) {
        StringBuilder text = new StringBuilder("# Accepted-specs campaign\n\n");
        text.append("- base seed: ")
                .append(base)
                .append(" (rerun: -D")
                .append(CAMPAIGN_SEED)
                .append('=')
                .append(base)
                .append(")\n");
        text.append("- ran: ")
                .append(Duration.between(start, Instant.now()).toSeconds())
                .append(" s\n");
        text.append("- inputs tried: ")
                .append(total.tried)
                .append(", accepted by check: ")
                .append(total.accepted)
                .append(", compiled by javac: ")
                .append(total.compiled)
                .append(", classes checked: ")
                .append(total.classesChecked)
                .append('\n');
        text.append("- rejected by check, by first diagnostic: ")
                .append(total.rejections)
                .append('\n');
        text.append("- points skipped (non-finite in the reference too): ")
                .append(total.skips)
                .append('\n');
        text.append("- defects: ")
                .append(total.defects.size())
                .append(" in ")
                .append(total.grouped().size())
                .append(" distinct groups\n\n");
        text.append("## Minimised reproducers\n");
        for (Map.Entry<String, Candidate> entry : minimised.entrySet()) {
            text.append("\n### ")
                    .append(entry.getKey())
                    .append("\n\nseed ")
                    .append(entry.getValue().seed())
                    .append(" (rerun: -D")
                    .append(REPRODUCE_PROPERTY)
                    .append('=')
                    .append(entry.getValue().spec().kind())
                    .append(':')
                    .append(entry.getValue().seed())
                    .append(":campaign), file '")
                    .append(entry.getValue().spec().fileName())
                    .append("'\n\n```nn\n")
                    .append(entry.getValue().spec().text().strip())
                    .append("\n```\n");
        }
        text.append("\n## All groups\n\n```\n").append(total.report()).append("```\n");
        return text.toString();
    }

    private static Outcome runInBatches(List<Candidate> candidates) {
        Outcome total = new Outcome();
        for (int i = 0; i < candidates.size(); i += BATCH) {
            total.add(AcceptedSpecs.run(candidates.subList(i, Math.min(candidates.size(), i + BATCH))));
        }
        return total;
    }

    static Candidate candidate(Kind kind, long seed, Scale scale) {
        String unique = "z" + Long.toHexString(seed) + kind.ordinal();
        Spec spec = RandomSpecs.of(kind, new SplittableRandom(seed), unique, scale);
        return new Candidate(seed, unique, spec);
    }

    private static long baseSeed() {
        String value = System.getProperty(Trials.SEED_PROPERTY);
        return value == null || value.isBlank() ? Trials.DEFAULT_SEED : Long.decode(value.strip());
    }

    private static void writeReport(String name, String text) {
        try {
            Files.createDirectories(CAMPAIGN_DIRECTORY);
            Files.writeString(CAMPAIGN_DIRECTORY.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
