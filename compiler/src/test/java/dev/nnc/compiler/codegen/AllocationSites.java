package dev.nnc.compiler.codegen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where a piece of code allocates, for the message of a failed allocation test: a flight
 * recording of the allocations while the code runs, summed by the innermost frames outside the
 * JDK. The JIT state that made the code allocate is usually gone in the next JVM, so the test
 * that sees the allocation is the one place to ask where it comes from.
 */
final class AllocationSites {
    private static final int FRAMES = 4;
    private static final int SITES = 6;

    private AllocationSites() {}

    /** The sites that allocated most while {@code calls} ran {@code rounds} times, one per line. */
    static String of(Runnable calls, int rounds) {
        try (Recording recording = new Recording()) {
            recording.enable("jdk.ObjectAllocationInNewTLAB").withStackTrace();
            recording.enable("jdk.ObjectAllocationOutsideTLAB").withStackTrace();
            recording.start();
            for (int i = 0; i < rounds; i++) {
                calls.run();
            }
            recording.stop();
            Path file = Files.createTempFile("allocations", ".jfr");
            try {
                recording.dump(file);
                return summary(file);
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            return "(no flight recording: " + e.getMessage() + ")";
        }
    }

    private static String summary(Path file) throws IOException {
        Map<String, Long> bytesBySite = new LinkedHashMap<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
            if (event.getThread() == null
                    || event.getThread().getJavaThreadId()
                            != Thread.currentThread().getId()) {
                continue;
            }
            long bytes = event.hasField("tlabSize") ? event.getLong("tlabSize") : event.getLong("allocationSize");
            bytesBySite.merge(site(event), bytes, Long::sum);
        }
        return bytesBySite.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(SITES)
                .map(e -> e.getValue() + " bytes at " + e.getKey())
                .collect(Collectors.joining("\n  ", "\n  ", ""));
    }

    /**
     * The allocated class, the innermost frame, and the first frames outside {@code java.} and
     * {@code jdk.}, each marked with how it ran (interpreted, compiled, inlined).
     */
    private static String site(RecordedEvent event) {
        String type = event.getClass("objectClass").getName();
        if (event.getStackTrace() == null) {
            return type;
        }
        var frames = event.getStackTrace().getFrames().stream()
                .filter(RecordedFrame::isJavaFrame)
                .toList();
        if (frames.isEmpty()) {
            return type;
        }
        String ours = frames.stream()
                .filter(f -> !isJdk(f))
                .limit(FRAMES)
                .map(AllocationSites::frame)
                .collect(Collectors.joining(" < "));
        return type + " in " + frame(frames.get(0)) + " from " + ours;
    }

    private static boolean isJdk(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        return type.startsWith("java.") || type.startsWith("jdk.");
    }

    private static String frame(RecordedFrame frame) {
        String type = frame.getMethod().getType().getName();
        return type.substring(type.lastIndexOf('.') + 1) + "."
                + frame.getMethod().getName() + ":" + frame.getLineNumber() + " (" + frame.getType() + ")";
    }
}
