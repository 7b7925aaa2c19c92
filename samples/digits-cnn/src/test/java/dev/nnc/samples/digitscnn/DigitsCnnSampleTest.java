package dev.nnc.samples.digitscnn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Dataset;
import dev.nnc.runtime.SafeTensors;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class DigitsCnnSampleTest {

    @Test
    void loadsAllImagesOfTheDataSetAsOneChannelImages() {
        Dataset data = DigitsCnnSample.load();
        assertEquals(1797, data.size());
        assertEquals(DigitsCnn.INPUT_SIZE, data.featureCount());
        assertEquals(1 * 8 * 8, data.featureCount());
        assertEquals(DigitsCnn.OUTPUT_SIZE, data.targetCount());
    }

    @Test
    void scalesEveryPixelIntoTheUnitInterval() {
        Dataset scaled = DigitsCnnSample.scale(DigitsCnnSample.load());
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double pixel : scaled.features()) {
            min = Math.min(min, pixel);
            max = Math.max(max, pixel);
        }
        assertEquals(0.0, min);
        assertEquals(1.0, max);
    }

    @Test
    void reachesAtLeast98PercentTestAccuracyAndWritesTheTrainingChartAndTheWeights() throws Exception {
        DigitsCnnSample.Result result = DigitsCnnSample.run(false);
        assertEquals(Math.round(0.25 * 1797), result.testRows());
        assertEquals(result.testRows(), result.confusion().total());
        assertEquals(result.accuracy(), result.confusion().accuracy(), 1e-12);
        assertTrue(result.accuracy() >= 0.98, "test accuracy " + result.accuracy() + " is below 0.98");
        assertEquals(DigitsCnnSample.EPOCHS, result.history().epochs().size());
        assertIsTrainingChart(DigitsCnnSample.chartFile());
        assertHoldsTheTrainedWeights(DigitsCnnSample.weightsFile(), result.network());
    }

    /** The safetensors file gives a fresh network the trained one's predictions, bit for bit. */
    private static void assertHoldsTheTrainedWeights(Path file, DigitsCnn trained) throws Exception {
        DigitsCnn loaded = new DigitsCnn(7);
        try (InputStream in = Files.newInputStream(file)) {
            SafeTensors.read(in, loaded);
        }
        Dataset data = DigitsCnnSample.scale(DigitsCnnSample.load());
        double[] expected = new double[data.size() * DigitsCnn.OUTPUT_SIZE];
        double[] actual = new double[expected.length];
        trained.predict(data.features(), data.size(), expected);
        loaded.predict(data.features(), data.size(), actual);
        assertArrayEquals(expected, actual);
    }

    /** The chart is a file that parses as SVG, titled with the network's name. */
    private static void assertIsTrainingChart(Path file) throws Exception {
        assertTrue(Files.isRegularFile(file), file + " is missing");
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        Element root = factory.newDocumentBuilder().parse(file.toFile()).getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals("http://www.w3.org/2000/svg", root.getNamespaceURI());
        assertEquals(
                "DigitsCnn: training",
                root.getElementsByTagName("title").item(0).getTextContent());
    }
}
