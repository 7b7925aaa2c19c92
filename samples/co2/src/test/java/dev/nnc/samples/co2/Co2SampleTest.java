package dev.nnc.samples.co2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;

class Co2SampleTest {

    @Test
    void preparesATrainingWindowForEveryWeekBeforeTheSplitAndATestWindowForEveryWeekAfter() {
        Co2Sample.Prepared data = Co2Sample.prepare();
        assertEquals(59, data.filledWeeks());
        assertEquals(1827, data.trainingWeeks());
        assertEquals(1827 - Co2Data.FIRST_TARGET, data.training().size());
        assertEquals(2284 - 1827, data.test().size());
        assertEquals(data.test().size(), data.testWeeks());
        assertEquals(Co2Forecast.INPUT_SIZE, data.training().featureCount());
        assertEquals(52 + 1, Co2Forecast.INPUT_SIZE);
        assertEquals(Co2Forecast.OUTPUT_SIZE, data.training().targetCount());
    }

    @Test
    void theNetworkBeatsBothBaselinesOnTheTestWeeksAndTheTrainingChartIsWritten() throws Exception {
        Co2Sample.Result result = Co2Sample.run(Co2Sample.prepare(), false);
        assertEquals(457, result.testWeeks());
        assertEquals(Co2Sample.EPOCHS, result.history().epochs().size());
        assertIsTrainingChart(Co2Sample.chartFile());
        assertTrue(
                result.networkRmse() < result.lastValueRmse(),
                "network " + result.networkRmse() + " ppm, last value " + result.lastValueRmse() + " ppm");
        assertTrue(
                result.networkRmse() < result.seasonalNaiveRmse(),
                "network " + result.networkRmse() + " ppm, seasonal naive " + result.seasonalNaiveRmse() + " ppm");
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
                "Co2Forecast: training",
                root.getElementsByTagName("title").item(0).getTextContent());
    }
}
