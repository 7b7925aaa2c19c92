package dev.nnc.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Draws a {@link TrainingHistory} as a self-contained SVG file that any browser opens: the
 * training and validation loss per epoch, and below it the validation accuracy per epoch when the
 * trainer measured one.
 *
 * <pre>{@code
 * TrainingHistory history = trainer.fit(network, data);
 * TrainingChart.write(history, network.name(), Path.of("target/training.svg"));
 * }</pre>
 *
 * <p>{@link Trainer.Builder#chart(Path)} writes the same file after every epoch, so that a running
 * training can be watched by reloading it.
 *
 * <ul>
 *   <li>The axes run between round numbers: ticks at 1, 2 or 5 times a power of ten, whole epochs
 *       on the horizontal axis.
 *   <li>The loss axis is logarithmic when every loss is positive and the largest is more than ten
 *       times the smallest (the loss spans more than a decade), so that the late epochs are not a
 *       flat line at the bottom; otherwise it is linear. Its title says which.
 *   <li>When early stopping restored the parameters of the best epoch, a dashed line and a ring
 *       mark that epoch.
 *   <li>A NaN or infinite value is not drawn: its line is broken there, a red cross at the top of
 *       the plot marks the epoch, and the legend says what the crosses mean. ({@link Trainer}
 *       stops at such a loss, so only hand-made histories contain them.)
 *   <li>Every point has a dot when there are at most {@value #MAX_DOTTED_EPOCHS} epochs, and a point
 *       without neighbours always has one, so one epoch shows as a dot.
 *   <li>The output depends on the history and the title only: the same history gives the same
 *       bytes, whatever the default locale.
 * </ul>
 */
public final class TrainingChart {

    /** Up to this many epochs, every point gets a dot. */
    static final int MAX_DOTTED_EPOCHS = 40;

    static final int WIDTH = 720;
    static final int LEFT = 76;
    static final int RIGHT = WIDTH - 24;
    static final int LOSS_TOP = 70;
    static final int LOSS_HEIGHT = 260;
    static final int METRIC_HEIGHT = 170;
    /** From the bottom of one plot to the top of the next: tick labels, axis title, space. */
    private static final int PANEL_GAP = 62;
    /** Below the last plot: tick labels and axis title. */
    private static final int BOTTOM_MARGIN = 50;

    static final String TRAINING_COLOUR = "#1f77b4";
    static final String VALIDATION_COLOUR = "#ff7f0e";
    private static final String NON_FINITE_COLOUR = "#d62728";
    private static final String BEST_COLOUR = "#555555";

    private TrainingChart() {}

    /**
     * The chart of {@code history} as an SVG document (UTF-8 text).
     *
     * @param title the heading, usually the network's {@link Network#name()}
     */
    public static String svg(TrainingHistory history, String title) {
        return new Drawing(history, title).draw();
    }

    /**
     * Writes {@link #svg} to {@code file}, creating its directory if needed. The text goes to a
     * temporary file beside {@code file} that is then moved over it, so a browser reloading the
     * file during training never reads half a chart.
     *
     * @throws IOException if the file cannot be written
     */
    public static void write(TrainingHistory history, String title, Path file) throws IOException {
        byte[] bytes = svg(history, title).getBytes(StandardCharsets.UTF_8);
        Path directory = file.toAbsolutePath().getParent();
        Files.createDirectories(directory);
        Path temporary = Files.createTempFile(directory, file.getFileName() + ".", ".tmp");
        try {
            Files.write(temporary, bytes);
            readableByAll(temporary);
            Trainer.moveReplacing(temporary, file);
        } finally {
            Files.deleteIfExists(temporary);
        }
    }

    /**
     * A temporary file is created readable by its owner only; a chart is a picture to be opened by
     * a browser or served, so it gets the permissions of an ordinary file ({@code rw-r--r--})
     * where the file system has POSIX permissions.
     */
    private static void readableByAll(Path file) throws IOException {
        if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        }
    }

    /** Whether the loss axis for these losses is logarithmic (see the class comment). */
    static boolean logarithmicLoss(double[]... series) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] values : series) {
            for (double v : values) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        return lo > 0 && lo != Double.POSITIVE_INFINITY && hi > 10 * lo;
    }

    /** {@code value} rounded to two decimals, without exponent or locale: {@code -12.5}, {@code 3}. */
    static String number(double value) {
        long hundredths = Math.round(value * 100);
        StringBuilder sb = new StringBuilder(12);
        if (hundredths < 0) {
            sb.append('-');
            hundredths = -hundredths;
        }
        sb.append(hundredths / 100);
        long rest = hundredths % 100;
        if (rest != 0) {
            sb.append('.').append(rest / 10);
            if (rest % 10 != 0) {
                sb.append(rest % 10);
            }
        }
        return sb.toString();
    }

    /** Escapes the five characters XML reserves. */
    static String escape(String text) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&apos;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }

    /** A plot area on the page. */
    private record Panel(int top, int height, ChartAxis x, ChartAxis y) {
        int bottom() {
            return top + height;
        }

        double px(double epoch) {
            return x.position(epoch, LEFT, RIGHT);
        }

        double py(double value) {
            return y.position(value, bottom(), top);
        }
    }

    /** A line of values, one per epoch. */
    private record Series(String id, String label, String colour, boolean dashed, double[] values) {
        boolean present() {
            for (double v : values) {
                if (Double.isFinite(v)) {
                    return true;
                }
            }
            return false;
        }

        boolean hasNonFinite() {
            for (double v : values) {
                if (!Double.isFinite(v)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** One chart being drawn. */
    private static final class Drawing {
        private final TrainingHistory history;
        private final String title;
        private final int epochs;
        private final ChartAxis epochAxis;
        private final Series training;
        private final Series validation;
        private final Series accuracy;
        private final StringBuilder svg = new StringBuilder(16_384);

        Drawing(TrainingHistory history, String title) {
            this.history = history;
            this.title = title;
            this.epochs = history.epochs().size();
            // Points sit at their epochs' numbers: a fit resumed from a checkpoint may report only
            // the epochs after it.
            this.epochAxis = ChartAxis.epochs(history.last().epoch());
            this.training = new Series("training-loss", "training", TRAINING_COLOUR, false, history.losses());
            this.validation =
                    new Series("validation-loss", "validation", VALIDATION_COLOUR, true, history.validationLosses());
            double[] percent = new double[epochs];
            for (int i = 0; i < epochs; i++) {
                percent[i] = 100 * history.epochs().get(i).validationAccuracy();
            }
            this.accuracy = new Series("validation-accuracy", "validation accuracy", VALIDATION_COLOUR, true, percent);
        }

        String draw() {
            Panel loss = new Panel(LOSS_TOP, LOSS_HEIGHT, epochAxis, lossAxis());
            Panel metric = accuracy.present()
                    ? new Panel(loss.bottom() + PANEL_GAP, METRIC_HEIGHT, epochAxis, valueAxis(accuracy.values))
                    : null;
            int height = (metric != null ? metric.bottom() : loss.bottom()) + BOTTOM_MARGIN;

            svg.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
            svg.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"")
                    .append(WIDTH)
                    .append("\" height=\"")
                    .append(height)
                    .append("\" viewBox=\"0 0 ")
                    .append(WIDTH)
                    .append(' ')
                    .append(height)
                    .append("\" font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\">\n");
            svg.append("<title>").append(escape(title)).append(": training</title>\n");
            svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
            heading();

            String lossTitle = loss.y().logarithmic() ? "loss (log scale)" : "loss";
            frame(loss, lossTitle);
            bestEpoch(loss, true);
            series(loss, training);
            if (validation.present()) {
                series(loss, validation);
            }
            legend(loss);
            if (metric != null) {
                frame(metric, "validation accuracy (%)");
                bestEpoch(metric, false);
                series(metric, accuracy);
            }
            svg.append("</svg>\n");
            return svg.toString();
        }

        private ChartAxis lossAxis() {
            double[] both = new double[2 * epochs];
            System.arraycopy(training.values, 0, both, 0, epochs);
            System.arraycopy(validation.values, 0, both, epochs, epochs);
            if (logarithmicLoss(both)) {
                return ChartAxis.logarithmic(min(both), max(both));
            }
            return valueAxis(both);
        }

        private static ChartAxis valueAxis(double[] values) {
            double lo = min(values);
            double hi = max(values);
            if (lo > hi) {
                // Nothing finite to show: an empty unit axis.
                return ChartAxis.linear(0, 1, 5);
            }
            return ChartAxis.linear(lo, hi, 5);
        }

        private void heading() {
            svg.append("<text x=\"")
                    .append(LEFT)
                    .append("\" y=\"28\" font-size=\"16\" font-weight=\"bold\">")
                    .append(escape(title))
                    .append("</text>\n");
            EpochReport last = history.last();
            StringBuilder line = new StringBuilder();
            line.append(epochs).append(epochs == 1 ? " epoch" : " epochs");
            if (history.stoppedEarly()) {
                line.append(" (stopped early)");
            }
            line.append(" \u00b7 last epoch: loss ").append(EpochReport.formatLoss(last.loss()));
            if (last.hasValidation()) {
                line.append(", validation loss ").append(EpochReport.formatLoss(last.validationLoss()));
            }
            if (Double.isFinite(last.validationAccuracy())) {
                line.append(
                        String.format(Locale.ROOT, ", validation accuracy %.1f%%", 100 * last.validationAccuracy()));
            }
            if (history.restoredBestParameters()) {
                line.append(" \u00b7 parameters of epoch ")
                        .append(history.bestEpoch())
                        .append(" restored");
            }
            svg.append("<text x=\"")
                    .append(LEFT)
                    .append("\" y=\"48\" fill=\"#555555\">")
                    .append(escape(line.toString()))
                    .append("</text>\n");
        }

        /** Grid, ticks, tick labels, the plot's border and the axis titles. */
        private void frame(Panel p, String yTitle) {
            svg.append("<g class=\"grid\" stroke-width=\"1\">\n");
            for (ChartAxis.Tick tick : p.y().ticks()) {
                double y = p.py(tick.value());
                line(LEFT, y, RIGHT, y, tick.major() ? "#e0e0e0" : "#f0f0f0");
            }
            for (ChartAxis.Tick tick : p.x().majorTicks()) {
                double x = p.px(tick.value());
                line(x, p.top(), x, p.bottom(), "#e0e0e0");
            }
            svg.append("</g>\n");
            svg.append("<rect class=\"plot\" x=\"")
                    .append(LEFT)
                    .append("\" y=\"")
                    .append(p.top())
                    .append("\" width=\"")
                    .append(RIGHT - LEFT)
                    .append("\" height=\"")
                    .append(p.height())
                    .append("\" fill=\"none\" stroke=\"#888888\"/>\n");
            svg.append("<g class=\"y-ticks\" text-anchor=\"end\" fill=\"#333333\">\n");
            for (ChartAxis.Tick tick : p.y().majorTicks()) {
                double y = p.py(tick.value());
                line(LEFT - 5, y, LEFT, y, "#888888");
                text(LEFT - 8, y + 4, tick.label());
            }
            svg.append("</g>\n");
            svg.append("<g class=\"x-ticks\" text-anchor=\"middle\" fill=\"#333333\">\n");
            for (ChartAxis.Tick tick : p.x().majorTicks()) {
                double x = p.px(tick.value());
                line(x, p.bottom(), x, p.bottom() + 5, "#888888");
                text(x, p.bottom() + 19, tick.label());
            }
            svg.append("</g>\n");
            double middle = (LEFT + RIGHT) / 2.0;
            svg.append("<text text-anchor=\"middle\" x=\"")
                    .append(number(middle))
                    .append("\" y=\"")
                    .append(p.bottom() + 38)
                    .append("\">epoch</text>\n");
            double centre = p.top() + p.height() / 2.0;
            svg.append("<text text-anchor=\"middle\" transform=\"translate(20 ")
                    .append(number(centre))
                    .append(") rotate(-90)\">")
                    .append(escape(yTitle))
                    .append("</text>\n");
        }

        /** The dashed line at the restored best epoch; in the loss panel also its label and ring. */
        private void bestEpoch(Panel p, boolean withLabel) {
            if (!history.restoredBestParameters()) {
                return;
            }
            int best = history.bestEpoch();
            double x = p.px(history.best().epoch());
            svg.append("<g class=\"best-epoch\">\n");
            svg.append("<line x1=\"")
                    .append(number(x))
                    .append("\" y1=\"")
                    .append(p.top())
                    .append("\" x2=\"")
                    .append(number(x))
                    .append("\" y2=\"")
                    .append(p.bottom())
                    .append("\" stroke=\"")
                    .append(BEST_COLOUR)
                    .append("\" stroke-dasharray=\"2 3\"/>\n");
            if (withLabel) {
                Series monitored = validation.present() ? validation : training;
                double value = monitored.values[best - 1];
                if (Double.isFinite(value)) {
                    svg.append("<circle cx=\"")
                            .append(number(x))
                            .append("\" cy=\"")
                            .append(number(p.py(value)))
                            .append("\" r=\"6\" fill=\"none\" stroke=\"")
                            .append(BEST_COLOUR)
                            .append("\" stroke-width=\"1.5\"/>\n");
                }
                // Left of the line when it stands in the right third, so the label stays inside.
                boolean left = x > LEFT + 2 * (RIGHT - LEFT) / 3.0;
                svg.append("<text x=\"")
                        .append(number(left ? x - 4 : x + 4))
                        .append("\" y=\"")
                        .append(p.bottom() - 8)
                        .append("\" text-anchor=\"")
                        .append(left ? "end" : "start")
                        .append("\" fill=\"")
                        .append(BEST_COLOUR)
                        .append("\">best epoch ")
                        .append(best)
                        .append(", restored</text>\n");
            }
            svg.append("</g>\n");
        }

        /**
         * A polyline through every run of consecutive finite values, a dot per point (or per
         * isolated point past {@link #MAX_DOTTED_EPOCHS}), a red cross per non-finite value.
         */
        private void series(Panel p, Series s) {
            svg.append("<g class=\"series\" id=\"")
                    .append(s.id())
                    .append("\" stroke=\"")
                    .append(s.colour())
                    .append("\" fill=\"")
                    .append(s.colour())
                    .append("\">\n");
            double[] v = s.values();
            int start = 0;
            while (start < v.length) {
                if (!Double.isFinite(v[start])) {
                    cross(p, epochNumber(start), s.label(), v[start]);
                    start++;
                    continue;
                }
                int end = start;
                while (end < v.length && Double.isFinite(v[end])) {
                    end++;
                }
                if (end - start > 1) {
                    svg.append("<polyline fill=\"none\" stroke-width=\"2\"");
                    if (s.dashed()) {
                        svg.append(" stroke-dasharray=\"6 3\"");
                    }
                    svg.append(" points=\"");
                    for (int i = start; i < end; i++) {
                        if (i > start) {
                            svg.append(' ');
                        }
                        svg.append(number(p.px(epochNumber(i)))).append(',').append(number(p.py(v[i])));
                    }
                    svg.append("\"/>\n");
                }
                if (epochs <= MAX_DOTTED_EPOCHS || end - start == 1) {
                    for (int i = start; i < end; i++) {
                        svg.append("<circle cx=\"")
                                .append(number(p.px(epochNumber(i))))
                                .append("\" cy=\"")
                                .append(number(p.py(v[i])))
                                .append("\" r=\"2.5\"/>\n");
                    }
                }
                start = end;
            }
            svg.append("</g>\n");
        }

        /** The epoch number of report {@code i}. */
        private int epochNumber(int i) {
            return history.epochs().get(i).epoch();
        }

        private void cross(Panel p, int epoch, String label, double value) {
            double x = p.px(epoch);
            double y = p.top() + 8;
            svg.append("<path class=\"non-finite\" stroke=\"")
                    .append(NON_FINITE_COLOUR)
                    .append("\" stroke-width=\"2\" d=\"M")
                    .append(number(x - 4))
                    .append(',')
                    .append(number(y - 4))
                    .append(" L")
                    .append(number(x + 4))
                    .append(',')
                    .append(number(y + 4))
                    .append(" M")
                    .append(number(x - 4))
                    .append(',')
                    .append(number(y + 4))
                    .append(" L")
                    .append(number(x + 4))
                    .append(',')
                    .append(number(y - 4))
                    .append("\"><title>")
                    .append(escape(label))
                    .append(" at epoch ")
                    .append(epoch)
                    .append(": ")
                    .append(value)
                    .append("</title></path>\n");
        }

        /** The legend in the loss panel's top right corner. */
        private void legend(Panel p) {
            List<Series> shown = new ArrayList<>();
            shown.add(training);
            if (validation.present()) {
                shown.add(validation);
            }
            boolean crosses = training.hasNonFinite()
                    || validation.present() && validation.hasNonFinite()
                    || accuracy.present() && accuracy.hasNonFinite();
            int rows = shown.size() + (crosses ? 1 : 0);
            int width = crosses ? 172 : 110;
            int x = RIGHT - width - 8;
            int y = p.top() + 8;
            svg.append("<g class=\"legend\">\n");
            svg.append("<rect x=\"")
                    .append(x)
                    .append("\" y=\"")
                    .append(y)
                    .append("\" width=\"")
                    .append(width)
                    .append("\" height=\"")
                    .append(8 + 18 * rows)
                    .append("\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n");
            int row = 0;
            for (Series s : shown) {
                double cy = y + 13 + 18 * row++;
                svg.append("<line x1=\"")
                        .append(x + 8)
                        .append("\" y1=\"")
                        .append(number(cy))
                        .append("\" x2=\"")
                        .append(x + 32)
                        .append("\" y2=\"")
                        .append(number(cy))
                        .append("\" stroke=\"")
                        .append(s.colour())
                        .append("\" stroke-width=\"2\"");
                if (s.dashed()) {
                    svg.append(" stroke-dasharray=\"6 3\"");
                }
                svg.append("/>\n");
                text(x + 40, cy + 4, s.label());
            }
            if (crosses) {
                double cy = y + 13 + 18 * row;
                svg.append("<path stroke=\"")
                        .append(NON_FINITE_COLOUR)
                        .append("\" stroke-width=\"2\" d=\"M")
                        .append(x + 16)
                        .append(',')
                        .append(number(cy - 4))
                        .append(" L")
                        .append(x + 24)
                        .append(',')
                        .append(number(cy + 4))
                        .append(" M")
                        .append(x + 16)
                        .append(',')
                        .append(number(cy + 4))
                        .append(" L")
                        .append(x + 24)
                        .append(',')
                        .append(number(cy - 4))
                        .append("\"/>\n");
                text(x + 40, cy + 4, "not finite, not drawn");
            }
            svg.append("</g>\n");
        }

        private void line(double x1, double y1, double x2, double y2, String colour) {
            svg.append("<line x1=\"")
                    .append(number(x1))
                    .append("\" y1=\"")
                    .append(number(y1))
                    .append("\" x2=\"")
                    .append(number(x2))
                    .append("\" y2=\"")
                    .append(number(y2))
                    .append("\" stroke=\"")
                    .append(colour)
                    .append("\"/>\n");
        }

        private void text(double x, double y, String content) {
            svg.append("<text x=\"")
                    .append(number(x))
                    .append("\" y=\"")
                    .append(number(y))
                    .append("\">")
                    .append(escape(content))
                    .append("</text>\n");
        }

        private static double min(double[] values) {
            double m = Double.POSITIVE_INFINITY;
            for (double v : values) {
                if (Double.isFinite(v)) {
                    m = Math.min(m, v);
                }
            }
            return m;
        }

        private static double max(double[] values) {
            double m = Double.NEGATIVE_INFINITY;
            for (double v : values) {
                if (Double.isFinite(v)) {
                    m = Math.max(m, v);
                }
            }
            return m;
        }
    }
}
