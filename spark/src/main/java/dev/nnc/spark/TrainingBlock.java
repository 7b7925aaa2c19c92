package dev.nnc.spark;

import java.io.Serializable;

/**
 * The training rows of one partition, in flat arrays: what the training steps read, cached once.
 * Converting rows to arrays once, instead of in every step, keeps Spark's row objects out of the
 * steps.
 *
 * @param partition the partition's index
 * @param indices each row's index in the whole data set (its global row number)
 * @param features the rows' inputs, row-major
 * @param targets the rows' targets, row-major
 */
record TrainingBlock(int partition, int[] indices, double[] features, double[] targets) implements Serializable {

    private static final long serialVersionUID = 1L;

    int rows() {
        return indices.length;
    }
}
