package dev.nnc.compiler.graph;

/**
 * One method per op record: the exhaustive dispatch that back ends (Java emission), printers and
 * analyses use. Java 17 has no pattern-matching switch, so exhaustiveness comes from here: adding
 * an op adds a method, and every visitor stops compiling until it handles the new op.
 *
 * @param <R> what a visit returns
 */
public interface OpVisitor<R> {
    R visitInput(LeafOp.Input op);

    R visitTarget(LeafOp.Target op);

    R visitParam(LeafOp.Param op);

    R visitArgument(LeafOp.Argument op);

    R visitDropoutMask(LeafOp.DropoutMask op);

    R visitConstant(LeafOp.Constant op);

    R visitSampleWeight(LeafOp.SampleWeight op);

    R visitBuffer(LeafOp.Buffer op);

    R visitBatchSize(LeafOp.BatchSize op);

    R visitBatchMean(BatchOp.Mean op);

    R visitNegate(UnaryOp.Negate op);

    R visitSigmoid(UnaryOp.Sigmoid op);

    R visitTanh(UnaryOp.Tanh op);

    R visitRelu(UnaryOp.Relu op);

    R visitLeakyRelu(UnaryOp.LeakyRelu op);

    R visitElu(UnaryOp.Elu op);

    R visitExpNegAbs(UnaryOp.ExpNegAbs op);

    R visitGaussian(UnaryOp.Gaussian op);

    R visitStep(UnaryOp.Step op);

    R visitSign(UnaryOp.Sign op);

    R visitLeakySlope(UnaryOp.LeakySlope op);

    R visitExp(UnaryOp.Exp op);

    R visitLog(UnaryOp.Log op);

    R visitSqrt(UnaryOp.Sqrt op);

    R visitAbs(UnaryOp.Abs op);

    R visitSin(UnaryOp.Sin op);

    R visitCos(UnaryOp.Cos op);

    R visitPower(UnaryOp.Power op);

    R visitAdd(BinaryOp.Add op);

    R visitSubtract(BinaryOp.Subtract op);

    R visitMultiply(BinaryOp.Multiply op);

    R visitDivide(BinaryOp.Divide op);

    R visitMax(BinaryOp.Max op);

    R visitMin(BinaryOp.Min op);

    R visitMaxShare(BinaryOp.MaxShare op);

    R visitCompare(BinaryOp.Compare op);

    R visitEluSlope(BinaryOp.EluSlope op);

    R visitSigmoidFromExp(BinaryOp.SigmoidFromExp op);

    R visitSoftplusFromExp(BinaryOp.SoftplusFromExp op);

    R visitBroadcast(TensorOp.Broadcast op);

    R visitSum(TensorOp.Sum op);

    R visitDot(TensorOp.Dot op);

    R visitElement(TensorOp.Element op);

    R visitScatter(TensorOp.Scatter op);

    R visitMatVec(TensorOp.MatVec op);

    R visitMatMul(TensorOp.MatMul op);

    R visitTranspose(TensorOp.Transpose op);

    R visitOuter(TensorOp.Outer op);

    R visitTile(TensorOp.Tile op);

    R visitColumnSum(TensorOp.ColumnSum op);

    R visitSpread(TensorOp.Spread op);

    R visitRowSum(TensorOp.RowSum op);

    R visitEmbedding(TensorOp.Embedding op);

    R visitEmbeddingGrad(TensorOp.EmbeddingGrad op);

    R visitSoftmax(VectorOp.Softmax op);

    R visitLogSoftmax(VectorOp.LogSoftmax op);

    R visitLogSumExp(VectorOp.LogSumExp op);

    R visitSoftmaxCrossEntropy(LossOp.SoftmaxCrossEntropy op);

    R visitSigmoidBinaryCrossEntropy(LossOp.SigmoidBinaryCrossEntropy op);

    R visitConv(SpatialOp.Conv op);

    R visitConvInputGrad(SpatialOp.ConvInputGrad op);

    R visitConvWeightGrad(SpatialOp.ConvWeightGrad op);

    R visitMaxPool(SpatialOp.MaxPool op);

    R visitMaxPoolGrad(SpatialOp.MaxPoolGrad op);

    R visitMaxPoolPick(SpatialOp.MaxPoolPick op);

    R visitAvgPool(SpatialOp.AvgPool op);

    R visitAvgPoolGrad(SpatialOp.AvgPoolGrad op);

    R visitChannelSum(SpatialOp.ChannelSum op);

    R visitChannelSpread(SpatialOp.ChannelSpread op);

    R visitReshape(SpatialOp.Reshape op);

    R visitSlice(SpatialOp.Slice op);

    R visitUnslice(SpatialOp.Unslice op);

    R visitConcat(SpatialOp.Concat op);

    R visitRecurrence(SequenceOp.Recurrence op);

    R visitRecurrenceGrad(SequenceOp.RecurrenceGrad op);
}
