package dev.nnc.samples.iris;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class IrisSampleTest {

    @Test
    void reachesAtLeast90PercentTestAccuracyAndWritesTheTrainingChart() throws Exception {
        IrisSample.Result result = IrisSample.run(false);
        assertEquals(150 - Math.round(0.75 * 150), result.test().size());
        assertTrue(result.accuracy() >= 0.90, "test accuracy " + result.accuracy() + " is below 0.90");
        assertIsTrainingChart(IrisSample.chartFile());
    }

    @Test
    void theInferenceOnlyScorerPredictsLikeTheTrainedNetwork() {
        assertTrue(IrisSample.run(false).scorerAgrees());
    }

    @Test
    void trainingIsReproducible() {
        assertEquals(
                IrisSample.run(false).history().last().loss(),
                IrisSample.run(false).history().last().loss());
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
                "Iris: training", root.getElementsByTagName("title").item(0).getTextContent());
    }
}
