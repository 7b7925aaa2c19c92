package dev.nnc.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

class TrainingChartTest {

    private static final String SVG = "http://www.w3.org/2000/svg";

    /** A history of {@code losses.length} epochs; NaN validation figures mean none. */
    private static TrainingHistory history(
            double[] losses, double[] validationLosses, double[] accuracies, int best, boolean restored) {
        List<EpochReport> reports = new ArrayList<>();
        for (int i = 0; i < losses.length; i++) {
            reports.add(new EpochReport(
                    i + 1,
                    losses.length,
                    losses[i],
                    validationLosses == null ? Double.NaN : validationLosses[i],
                    accuracies == null ? Double.NaN : accuracies[i],
                    10));
        }
        return new TrainingHistory(reports, best, false, restored);
    }

    private static TrainingHistory trainingOnly(double... losses) {
        return history(losses, null, null, 1, false);
    }

    /** Twelve epochs of falling losses with validation and accuracy. */
    private static TrainingHistory typical() {
        int n = 12;
        double[] loss = new double[n];
        double[] validation = new double[n];
        double[] accuracy = new double[n];
        for (int i = 0; i < n; i++) {
            loss[i] = 1.2 / (i + 1);
            validation[i] = 1.3 / (i + 1) + 0.01 * i;
            accuracy[i] = 0.6 + 0.03 * i;
        }
        return history(loss, validation, accuracy, 9, true);
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Document document =
                factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
        Element root = document.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals(SVG, root.getNamespaceURI());
        return document;
    }

    private static Element group(Document document, String id) {
        NodeList groups = document.getElementsByTagNameNS(SVG, "g");
        for (int i = 0; i < groups.getLength(); i++) {
            Element g = (Element) groups.item(i);
            if (id.equals(g.getAttribute("id"))) {
                return g;
            }
        }
        return null;
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getElementsByTagNameNS(SVG, name);
        for (int i = 0; i < nodes.getLength(); i++) {
            found.add((Element) nodes.item(i));
        }
        return found;
    }

    private static List<Element> withClass(Document document, String name, String cls) {
        return children(document.getDocumentElement(), name).stream()
                .filter(e -> cls.equals(e.getAttribute("class")))
                .toList();
    }

    /** The points of every polyline of a series, as "x,y" strings. */
    private static List<String> polylinePoints(Element series) {
        List<String> points = new ArrayList<>();
        for (Element polyline : children(series, "polyline")) {
            points.addAll(List.of(polyline.getAttribute("points").split(" ")));
        }
        return points;
    }

    /** Every number in an attribute of the document's elements. */
    private static Stream<String> attributeValues(Document document) {
        List<String> values = new ArrayList<>();
        for (Element e : children(document.getDocumentElement(), "*")) {
            for (int i = 0; i < e.getAttributes().getLength(); i++) {
                values.add(e.getAttributes().item(i).getNodeValue());
            }
        }
        return values.stream();
    }

    @Test
    void isWellFormedSvgWithOnePointPerEpochInEverySeries() throws Exception {
        Document document = parse(TrainingChart.svg(typical(), "Digits"));
        for (String id : List.of("training-loss", "validation-loss", "validation-accuracy")) {
            Element series = group(document, id);
            assertEquals(12, polylinePoints(series).size(), id);
            assertEquals(12, children(series, "circle").size(), id);
        }
        assertEquals(
                "Digits: training",
                children(document.getDocumentElement(), "title").get(0).getTextContent());
    }

    @Test
    void withoutValidationThereIsOnlyTheTrainingLossAndNoAccuracyPanel() throws Exception {
        Document document = parse(TrainingChart.svg(trainingOnly(0.9, 0.5, 0.4), "Xor"));
        assertEquals(3, polylinePoints(group(document, "training-loss")).size());
        assertEquals(null, group(document, "validation-loss"));
        assertEquals(null, group(document, "validation-accuracy"));
        assertEquals(1, withClass(document, "rect", "plot").size());
        assertEquals(2, withClass(typicalDocument(), "rect", "plot").size());
    }

    private static Document typicalDocument() throws Exception {
        return parse(TrainingChart.svg(typical(), "Digits"));
    }

    @Test
    void aKnownValueIsDrawnAtTheExpectedCoordinates() throws Exception {
        // Loss axis 0..1 (linear: 0 is not positive), epoch axis 1..3.
        Document document = parse(TrainingChart.svg(trainingOnly(1.0, 0.5, 0.0), "Line"));
        int bottom = TrainingChart.LOSS_TOP + TrainingChart.LOSS_HEIGHT;
        int middle = (TrainingChart.LEFT + TrainingChart.RIGHT) / 2;
        assertEquals(
                List.of(
                        TrainingChart.LEFT + "," + TrainingChart.LOSS_TOP,
                        middle + "," + (TrainingChart.LOSS_TOP + bottom) / 2,
                        TrainingChart.RIGHT + "," + bottom),
                polylinePoints(group(document, "training-loss")));
    }

    @Test
    void pointsSitAtTheirEpochNumbersWhenAFitReportsOnlyTheEpochsAfterAResume() throws Exception {
        // Epochs 3, 4 and 5 of a run resumed after epoch 2: the epoch axis still runs 1..5.
        List<EpochReport> reports = List.of(
                new EpochReport(3, 5, 1.0, Double.NaN, Double.NaN, 10),
                new EpochReport(4, 5, 0.5, Double.NaN, Double.NaN, 10),
                new EpochReport(5, 5, 0.0, Double.NaN, Double.NaN, 10));
        Document document = parse(TrainingChart.svg(new TrainingHistory(reports, 3, false, false), "Resumed"));
        int bottom = TrainingChart.LOSS_TOP + TrainingChart.LOSS_HEIGHT;
        double width = TrainingChart.RIGHT - TrainingChart.LEFT;
        assertEquals(
                List.of(
                        TrainingChart.number(TrainingChart.LEFT + width / 2) + "," + TrainingChart.LOSS_TOP,
                        TrainingChart.number(TrainingChart.LEFT + width * 3 / 4) + ","
                                + TrainingChart.number((TrainingChart.LOSS_TOP + bottom) / 2.0),
                        TrainingChart.RIGHT + "," + bottom),
                polylinePoints(group(document, "training-loss")));
    }

    @Test
    void theLossAxisIsLogarithmicWhenTheLossSpansMoreThanADecade() throws Exception {
        assertTrue(TrainingChart.logarithmicLoss(new double[] {2, 0.1}));
        assertFalse(TrainingChart.logarithmicLoss(new double[] {2, 0.25}));
        assertFalse(TrainingChart.logarithmicLoss(new double[] {1, 10}), "exactly a decade stays linear");
        assertFalse(TrainingChart.logarithmicLoss(new double[] {100, 0}), "zero has no logarithm");
        assertFalse(TrainingChart.logarithmicLoss(new double[] {100, -1}));
        assertTrue(TrainingChart.logarithmicLoss(new double[] {2, Double.NaN}, new double[] {0.1, Double.NaN}));
        assertFalse(TrainingChart.logarithmicLoss(new double[] {Double.NaN}));

        String log = TrainingChart.svg(trainingOnly(2.0, 0.2, 0.05), "Log");
        assertTrue(log.contains(">loss (log scale)</text>"));
        // The axis runs from 0.05 to 2; 0.2 lies log10(0.2 / 0.05) / log10(2 / 0.05) of the way up.
        int bottom = TrainingChart.LOSS_TOP + TrainingChart.LOSS_HEIGHT;
        double y = bottom - StrictMath.log10(4) / StrictMath.log10(40) * TrainingChart.LOSS_HEIGHT;
        List<String> points = polylinePoints(group(parse(log), "training-loss"));
        assertEquals(TrainingChart.LEFT + "," + TrainingChart.LOSS_TOP, points.get(0));
        assertEquals(TrainingChart.number(y), points.get(1).split(",")[1]);
        assertEquals(String.valueOf(bottom), points.get(2).split(",")[1]);

        String linear = TrainingChart.svg(trainingOnly(2.0, 0.5, 0.3), "Linear");
        assertTrue(linear.contains(">loss</text>"));
        assertFalse(linear.contains("log scale"));
    }

    @Test
    void nonFiniteValuesAreSkippedAndMarked() throws Exception {
        double nan = Double.NaN;
        double inf = Double.POSITIVE_INFINITY;
        String svg = TrainingChart.svg(
                history(
                        new double[] {1, nan, 0.5, inf, 0.25, 0.2},
                        new double[] {1.1, 0.9, 0.6, 0.5, Double.NEGATIVE_INFINITY, 0.4},
                        null,
                        1,
                        false),
                "Broken");
        Document document = parse(svg);
        Element training = group(document, "training-loss");
        assertEquals(
                List.of(2),
                children(training, "polyline").stream()
                        .map(p -> p.getAttribute("points").split(" ").length)
                        .toList());
        assertEquals(4, children(training, "circle").size());
        assertEquals(2, children(training, "path").size());
        Element validation = group(document, "validation-loss");
        assertEquals(4, polylinePoints(validation).size());
        assertEquals(5, children(validation, "circle").size());
        assertEquals(1, children(validation, "path").size());
        assertTrue(children(validation, "title").get(0).getTextContent().contains("epoch 5: -Infinity"));
        assertTrue(svg.contains("not finite, not drawn"));
        assertTrue(
                attributeValues(document).noneMatch(v -> v.contains("NaN") || v.contains("Infinity")),
                "no coordinate is NaN or infinite");
        assertFalse(TrainingChart.svg(typical(), "Fine").contains("not finite"));
    }

    @Test
    void aHistoryOfOneEpochIsADotInTheMiddle() throws Exception {
        Document document =
                parse(TrainingChart.svg(history(new double[] {0.7}, new double[] {0.8}, null, 1, false), "One"));
        Element training = group(document, "training-loss");
        assertTrue(children(training, "polyline").isEmpty());
        List<Element> dots = children(training, "circle");
        assertEquals(1, dots.size());
        assertEquals(
                TrainingChart.number((TrainingChart.LEFT + TrainingChart.RIGHT) / 2.0),
                dots.get(0).getAttribute("cx"));
        assertEquals(1, children(group(document, "validation-loss"), "circle").size());
    }

    @Test
    void aConstantSeriesIsAFlatLineInsideThePlot() throws Exception {
        Document document = parse(TrainingChart.svg(trainingOnly(0.5, 0.5, 0.5, 0.5), "Flat"));
        List<String> points = polylinePoints(group(document, "training-loss"));
        assertEquals(4, points.size());
        double y = Double.parseDouble(points.get(0).split(",")[1]);
        assertTrue(y > TrainingChart.LOSS_TOP && y < TrainingChart.LOSS_TOP + TrainingChart.LOSS_HEIGHT, "y " + y);
        assertTrue(points.stream().allMatch(p -> p.endsWith("," + points.get(0).split(",")[1])));
    }

    @Test
    void dotsAreLeftOutForLongHistoriesExceptAroundGaps() throws Exception {
        double[] losses = new double[200];
        for (int i = 0; i < losses.length; i++) {
            losses[i] = 1.0 / (1 + i);
        }
        losses[100] = Double.NaN;
        losses[102] = Double.NaN;
        Element training = group(parse(TrainingChart.svg(trainingOnly(losses), "Long")), "training-loss");
        assertEquals(200 - 2 - 1, polylinePoints(training).size());
        assertEquals(1, children(training, "circle").size(), "epoch 102 stands alone");
    }

    @Test
    void marksTheRestoredBestEpochInBothPanels() throws Exception {
        Document document = typicalDocument();
        List<Element> marks = withClass(document, "g", "best-epoch");
        assertEquals(2, marks.size());
        double x = ChartAxis.epochs(12).position(9, TrainingChart.LEFT, TrainingChart.RIGHT);
        assertEquals(
                TrainingChart.number(x), children(marks.get(0), "line").get(0).getAttribute("x1"));
        assertTrue(marks.get(0).getTextContent().contains("best epoch 9, restored"));
        assertEquals(1, children(marks.get(0), "circle").size());

        TrainingHistory notRestored = history(new double[] {1, 0.5}, new double[] {1, 0.6}, null, 2, false);
        assertTrue(withClass(parse(TrainingChart.svg(notRestored, "N")), "g", "best-epoch")
                .isEmpty());
    }

    @Test
    void theSameHistoryGivesTheSameBytesInAnyLocale() {
        String first = TrainingChart.svg(typical(), "Digits");
        Locale before = Locale.getDefault();
        try {
            Locale.setDefault(Locale.GERMANY);
            assertEquals(first, TrainingChart.svg(typical(), "Digits"));
        } finally {
            Locale.setDefault(before);
        }
        assertFalse(first.contains("0,5"));
    }

    @Test
    void escapesTheTitle() throws Exception {
        Document document = parse(TrainingChart.svg(typical(), "A<B> & \"C\""));
        assertEquals(
                "A<B> & \"C\": training",
                children(document.getDocumentElement(), "title").get(0).getTextContent());
    }

    @Test
    void formatsCoordinatesWithTwoDecimalsAtMost() {
        assertEquals("0", TrainingChart.number(0));
        assertEquals("0", TrainingChart.number(-0.001));
        assertEquals("12.5", TrainingChart.number(12.5));
        assertEquals("-3.07", TrainingChart.number(-3.0712));
        assertEquals("100", TrainingChart.number(99.999));
        assertEquals("0.01", TrainingChart.number(0.005));
    }

    @Test
    void writesTheFileWithoutLeavingATemporaryOne(@TempDir Path directory) throws Exception {
        Path file = directory.resolve("charts/training.svg");
        TrainingChart.write(typical(), "Digits", file);
        assertEquals(TrainingChart.svg(typical(), "Digits"), Files.readString(file, StandardCharsets.UTF_8));
        TrainingChart.write(trainingOnly(1, 0.5), "Digits", file);
        parse(Files.readString(file, StandardCharsets.UTF_8));
        try (Stream<Path> files = Files.list(file.getParent())) {
            assertEquals(List.of(file), files.toList());
        }
        if (Files.getFileStore(file).supportsFileAttributeView(PosixFileAttributeView.class)) {
            // Not the owner-only permissions of the temporary file it was written through.
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        }
    }

    @Test
    void writingIntoAFileInsteadOfADirectoryFails(@TempDir Path directory) throws IOException {
        Path notADirectory = Files.writeString(directory.resolve("plain"), "x");
        org.junit.jupiter.api.Assertions.assertThrows(
                IOException.class, () -> TrainingChart.write(typical(), "D", notADirectory.resolve("chart.svg")));
    }
}
