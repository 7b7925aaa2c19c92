package dev.nnc.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With retries (local[2,3]: up to 3 attempts per task), as on a cluster. */
class SparkRetriesTest {

    private static SparkSession spark;

    private static final AtomicInteger FAILURES_LEFT = new AtomicInteger();

    @BeforeAll
    static void start() {
        spark = TestData.session("local[2,3]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    private static Plain failingTwice() {
        if (Thread.currentThread().getName().startsWith("Executor task launch")
                && FAILURES_LEFT.getAndDecrement() > 0) {
            throw new IllegalStateException("simulated lost executor");
        }
        return new Plain();
    }

    @Test
    void aRetriedTaskGivesTheSameModel() {
        TestData data = TestData.classes(90, 6);
        Plain local = new Plain();
        data.trainLocally(local, 30, 2, 1);
        FAILURES_LEFT.set(2);
        Plain distributed = new Plain();
        SparkTrainer.builder()
                .batchSize(30)
                .epochs(2)
                .build()
                .fit(distributed, SparkRetriesTest::failingTwice, data.frame(spark, 2));
        assertTrue(FAILURES_LEFT.get() < 0, "the factory did not fail");
        assertTrue(TestData.relativeDifference(TestData.parameters(distributed), TestData.parameters(local)) <= 1e-12);
    }

    @Test
    void failsClearlyOnceSparkGivesUp() {
        TestData data = TestData.classes(90, 6);
        FAILURES_LEFT.set(Integer.MAX_VALUE);
        SparkTrainingException failure = assertThrows(
                SparkTrainingException.class,
                () -> SparkTrainer.builder()
                        .batchSize(30)
                        .epochs(2)
                        .build()
                        .fit(new Plain(), SparkRetriesTest::failingTwice, data.frame(spark, 2)));
        assertEquals(1, failure.epoch());
        assertEquals(1, failure.step());
        assertTrue(failure.getMessage().contains("failed 3 times"), failure.getMessage());
        assertTrue(failure.getMessage().contains("simulated lost executor"), failure.getMessage());
    }
}
