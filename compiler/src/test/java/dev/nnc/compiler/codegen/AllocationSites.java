package dev.nnc.compiler.codegen;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
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
    private static final int TRAPS = 12;

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
            Map<String, Long> bytesBySite = new LinkedHashMap<>();
            for (RecordedEvent event : events(recording)) {
                // A dump also holds the recording's own settings events, on this thread too.
                if (event.getEventType().getName().startsWith("jdk.ObjectAllocation")
                        && event.getThread() != null
                        && event.getThread().getJavaThreadId()
                                == Thread.currentThread().getId()) {
                    long bytes =
                            event.hasField("tlabSize") ? event.getLong("tlabSize") : event.getLong("allocationSize");
                    bytesBySite.merge(site(event), bytes, Long::sum);
                }
            }
            return top(bytesBySite, SITES, " bytes at ");
        } catch (IOException e) {
            return "(no flight recording: " + e.getMessage() + ")";
        }
    }

    /**
     * A recording, from now on, of the JIT's deoptimisations: the uncommon traps whose counts, in
     * the profiles of methods that many kernels inline, decide whether C2 compiles a kernel's
     * vectors boxed (see the runtime's {@code OperatorCaches}).
     */
    static Recording deoptimizations() {
        Recording recording = new Recording();
        recording.enable("jdk.Deoptimization");
        recording.start();
        return recording;
    }

    /** The deoptimisations {@code recording} holds so far, counted by reason and place, most first. */
    static String traps(Recording recording) {
        try {
            Map<String, Long> counts = new LinkedHashMap<>();
            for (RecordedEvent event : events(recording)) {
                // A dump also holds the recording's own settings events.
                if (!event.getEventType().getName().equals("jdk.Deoptimization")) {
                    continue;
                }
                String method = event.getValue("method") instanceof RecordedMethod m
                        ? m.getType().getName() + "." + m.getName()
                        : "?";
                counts.merge(
                        event.getString("reason") + " at " + method + " bci " + event.getInt("bci"), 1L, Long::sum);
            }
            return top(counts, TRAPS, " traps: ");
        } catch (IOException e) {
            return "(no flight recording: " + e.getMessage() + ")";
        }
    }

    /** The events {@code recording} holds so far, read back from a copy in a temporary file. */
    private static List<RecordedEvent> events(Recording recording) throws IOException {
        Path file = Files.createTempFile("recording", ".jfr");
        try {
            recording.dump(file);
            return RecordingFile.readAllEvents(file);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String top(Map<String, Long> counts, int limit, String unit) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
                .limit(limit)
                .map(e -> e.getValue() + unit + e.getKey())
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
