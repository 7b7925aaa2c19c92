package dev.nnc.compiler.graph;

import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/**
 * Operations across the samples of a batch, which is what {@code batch_norm} needs while
 * training. Every other op maps one sample's values to that sample's result; a batch op's
 * result is the same for every sample and depends on all of them, so it is not {@linkplain
 * Graph#sampleDependent() sample-dependent}: a tiled kernel computes it once per tile, after the
 * tile's rows of its operand, and a tile must then hold the whole batch.
 *
 * <p>{@link #evaluate} sees one sample, a batch of one; {@link Evaluator#evaluateBatch} gives
 * a batch op all samples at once through {@link #evaluateBatch}.
 */
public sealed interface BatchOp extends Op {

    /** The result for every sample at once: {@code samples.get(b)} is sample {@code b}'s operand. */
    double[] evaluateBatch(List<double[]> samples);

    /**
     * The mean over the batch, element by element: {@code (1/n) Σ_b x_b}. As a linear map of the
     * stacked samples it is {@code (1/n) 1 1^T} in every element, which is symmetric, so its
     * adjoint is the batch mean of the adjoint: {@code dx_b = (1/n) Σ_b' dy_b'}.
     */
    record Mean() implements BatchOp {
        @Override
        public int arity() {
            return 1;
        }

        @Override
        public Shape shape(List<Shape> args) {
            Shapes.requireArity(this, args);
            return args.get(0);
        }

        @Override
        public long cost(List<Shape> args, Shape out) {
            return out.size();
        }

        @Override
        public double[] evaluate(List<double[]> args, Shape out, Bindings bindings) {
            return args.get(0).clone();
        }

        @Override
        public double[] evaluateBatch(List<double[]> samples) {
            double[] mean = new double[samples.get(0).length];
            for (double[] sample : samples) {
                for (int i = 0; i < mean.length; i++) {
                    mean[i] += sample[i];
                }
            }
            for (int i = 0; i < mean.length; i++) {
                mean[i] /= samples.size();
            }
            return mean;
        }

        @Override
        public void differentiate(Node node, int adjoint, GraphBuilder b, Contributions out) {
            out.add(0, b.apply(new Mean(), adjoint));
        }

        @Override
        public String mnemonic() {
            return "batch_mean";
        }

        @Override
        public <R> R accept(OpVisitor<R> visitor) {
            return visitor.visitBatchMean(this);
        }
    }
}
