package dev.nnc.samples.digits;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.runtime.Dataset;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class DigitsSampleTest {

    @Test
    void loadsAllImagesOfTheDataSet() {
        Dataset data = DigitsSample.load();
        assertEquals(1797, data.size());
        assertEquals(64, data.featureCount());
        assertEquals(10, data.targetCount());
    }

    @Test
    void reachesAtLeast95PercentTestAccuracyAndWritesTheTrainingChart() throws Exception {
        DigitsSample.Result result = DigitsSample.run(false);
        assertEquals(Math.round(0.25 * 1797), result.testRows());
        assertEquals(result.testRows(), result.confusion().total());
        assertEquals(result.accuracy(), result.confusion().accuracy(), 1e-12);
        assertTrue(result.accuracy() >= 0.95, "test accuracy " + result.accuracy() + " is below 0.95");
        assertEquals(DigitsSample.EPOCHS, result.history().epochs().size());
        assertIsTrainingChart(DigitsSample.chartFile());
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
                "Digits: training", root.getElementsByTagName("title").item(0).getTextContent());
    }
}
