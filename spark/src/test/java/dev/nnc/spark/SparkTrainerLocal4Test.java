package dev.nnc.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The equivalence in local[4] on a machine with fewer cores, with more partitions than threads,
 * so tasks queue and workers move between partitions, and with a tree of more than one level.
 */
class SparkTrainerLocal4Test {

    private static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = TestData.session("local[4]");
    }

    @AfterAll
    static void stop() {
        spark.stop();
    }

    @Test
    void givesTheParametersOfOneJvmWithMorePartitionsThanCores() {
        TestData data = TestData.classes(250, 21);
        Plain local = new Plain();
        data.trainLocally(local, 24, 3, 9);
        for (int depth : new int[] {1, 2, 3}) {
            Plain distributed = new Plain();
            SparkTrainer.builder()
                    .batchSize(24)
                    .epochs(3)
                    .seed(9)
                    .aggregationDepth(depth)
                    .build()
                    .fit(distributed, Plain::new, data.frame(spark, 9));
            double difference =
                    TestData.relativeDifference(TestData.parameters(distributed), TestData.parameters(local));
            assertTrue(difference <= 1e-12, "depth " + depth + ": relative difference " + difference);
        }
    }
}
