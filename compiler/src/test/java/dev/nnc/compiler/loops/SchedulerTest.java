package dev.nnc.compiler.loops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.LeafOp;
import dev.nnc.compiler.graph.LossOp;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.Op;
import dev.nnc.compiler.graph.Origin;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.graph.TensorOp;
import dev.nnc.compiler.graph.UnaryOp;
import dev.nnc.compiler.graph.VectorOp;
import dev.nnc.compiler.graph.Window;
import dev.nnc.compiler.loops.Stmt.Declare;
import dev.nnc.compiler.loops.Stmt.Loop;
import dev.nnc.compiler.loops.Stmt.Store;
import dev.nnc.compiler.loops.Value.Literal;
import dev.nnc.compiler.loops.Value.Local;
import dev.nnc.compiler.semantic.Shape;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The nests of the pool family as lowered and scheduled: expected IR, one case per rule. */
class SchedulerTest {

    @Test
    void anUnpaddedPoolTestsNothing() {
        Window window = Window.of(List.of(2, 2), List.of(2, 2));
        Shape input = Shape.of(6, 28, 28);
        assertEquals("""
                for c < 6
                  for oy < 14
                    for ox < 14
                      best = -Infinity
                      for ky < 2
                        let iy = oy * 2 + ky
                        for kx < 2
                          let ix = ox * 2 + kx
                          best := max(best, %0[c * 784 + iy * 28 + ix])
                      %1[c * 196 + oy * 14 + ox] = best
                """, nest(new SpatialOp.MaxPool(window, input), input));
    }

    @Test
    void aPaddedPoolRunsItsTapLoopsOnlyOverTheTapsInsideTheInput() {
        // 3x3 windows, stride 1, padding 1 on [2, 5, 5]: both sides of both axes reach padding.
        Window window = new Window(List.of(3, 3), List.of(1, 1), List.of(1, 1), List.of(1, 1), List.of(1, 1));
        Shape input = Shape.of(2, 5, 5);
        assertEquals("""
                for c < 2
                  for oy < 5
                    for ox < 5
                      s = 0
                      for ky from Math.max(0, 1 - oy) to Math.min(3, 6 - oy)
                        let iy = oy + ky - 1
                        for kx from Math.max(0, 1 - ox) to Math.min(3, 6 - ox)
                          let ix = ox + kx - 1
                          s := (s + %0[c * 25 + iy * 5 + ix])
                      %1[c * 25 + oy * 5 + ox] = (s / 9)
                """, nest(new SpatialOp.AvgPool(window, input), input));
    }

    @Test
    void aOneDimensionalPoolLosesItsRowLoopsAndBoundsOnlyTheSideItsPaddingReaches() {
        // length 8, window 3, stride 2, padding 1: outputs 0..3 read -1..7, so only the low side.
        Window window = new Window(List.of(3), List.of(2), List.of(1), List.of(1), List.of(1));
        Shape input = Shape.of(2, 8);
        assertEquals("""
                for c < 2
                  for ox < 4
                    best = -Infinity
                    for kx from Math.max(0, 1 - ox * 2) to 3
                      let ix = ox * 2 + kx - 1
                      best := max(best, %0[c * 8 + ix])
                    %1[c * 4 + ox] = best
                """, nest(new SpatialOp.MaxPool(window, input), input));
    }

    /**
     * The gradient clears, then adds at each window's first maximum: the window's maximum read
     * where the pool stored it, then the first element equal to it without a branch, or, where the
     * maximum is NaN, the search by comparisons that the rule states.
     */
    @Test
    void theMaxPoolGradientClearsThenAddsAtEachWindowsFirstMaximum() {
        Window window = Window.of(List.of(2), List.of(2));
        Shape input = Shape.of(1, 4);
        Node dy = new Node(0, read("dy", Shape.of(1, 2)), List.of(), Shape.of(1, 2), Origin.none());
        Node x = new Node(1, read("x", input), List.of(), input, Origin.none());
        Node y = new Node(2, new SpatialOp.MaxPool(window, input), List.of(1), Shape.of(1, 2), Origin.none());
        Node grad = new Node(3, new SpatialOp.MaxPoolGrad(window, input), List.of(0, 1, 2), input, Origin.none());
        assertEquals("""
                for i < 4
                  %3[i] = 0
                for ox < 2
                  maximum = %2[ox]
                  position at
                  if maximum is not NaN
                    for kx < 2
                      let ix = ox * 2 + kx
                      let i = ix
                      first equal to maximum at at <- %1[i] at i
                  else
                    best = 0
                    for kx < 2
                      let ix = ox * 2 + kx
                      let i = ix
                      v = %1[i]
                      first maximum best at at <- v at i
                  %3[at] += %0[ox]
                """, NestPrinter.print(Loops.of(grad, new Graph(List.of(dy, x, y, grad), List.of()))));
    }

    @Test
    void aChannelSumAddsEachPlaneInOrder() {
        Shape input = Shape.of(3, 2, 2);
        assertEquals("""
                for c < 3
                  s = 0
                  for i < 4
                    s := (s + %0[c * 4 + i])
                  %1[c] = s
                """, nest(new SpatialOp.ChannelSum(), input));
    }

    @Test
    void aRowOfLongSumsRunsThreeOrFourSumsAtATime() {
        // six planes of 16: blocks of three sums, each still adding its plane in order.
        assertEquals("""
                for cBlock < 2
                  s00 = 0
                  s01 = 0
                  s02 = 0
                  for i < 16
                    s00 := (s00 + %0[cBlock * 48 + i])
                    s01 := (s01 + %0[cBlock * 48 + i + 16])
                    s02 := (s02 + %0[cBlock * 48 + i + 32])
                  %1[cBlock * 3] = s00
                  %1[cBlock * 3 + 1] = s01
                  %1[cBlock * 3 + 2] = s02
                """, nest(new SpatialOp.ChannelSum(), Shape.of(6, 4, 4)));
        // seven rows of a sample's product: a block of four, its loop run once (at the top of the
        // nest, so it keeps its sums to itself), then three rows alone.
        assertEquals("""
                for rBlock < 1
                  acc00 = 0
                  acc01 = 0
                  acc02 = 0
                  acc03 = 0
                  for c < 16
                    acc00 := (acc00 + (%0[c] * %1[c]))
                    acc01 := (acc01 + (%0[c + 16] * %1[c]))
                    acc02 := (acc02 + (%0[c + 32] * %1[c]))
                    acc03 := (acc03 + (%0[c + 48] * %1[c]))
                  %2[0] = acc00
                  %2[1] = acc01
                  %2[2] = acc02
                  %2[3] = acc03
                for r from 4 to 7
                  acc = 0
                  for c < 16
                    acc := (acc + (%0[r * 16 + c] * %1[c]))
                  %2[r] = acc
                """, reduction(new TensorOp.MatVec(), false, Shape.of(7, 16), Shape.of(16)));
    }

    @Test
    void aLoopOfOneIterationStaysWhereItsBodyWouldClashWithALaterDeclaration() {
        // Spliced, the first body's s would be in scope in the second loop, whose body declares s.
        // (Inside a loop: at the top of a nest a body that declares anything stays a loop.)
        Store store = new Store(9, Place.at(Affine.of("n").times(2).plus("j", 1)), new Local("s"), false);
        List<Stmt> nest = List.of(new Loop(
                "n",
                2,
                List.of(
                        new Loop("j", 1, List.of(new Declare("s", new Literal(1)), store)),
                        new Loop("k", 1, List.of(new Declare("s", new Literal(2)))))));
        assertEquals("""
                for n < 2
                  for j < 1
                    s = 1
                    %9[n * 2] = s
                  s = 2
                """, NestPrinter.print(Scheduler.schedule(nest)));
    }

    @Test
    void atTheTopOfANestALoopOfOneIterationThatDeclaresStaysALoop() {
        // Another nest of the same method may declare the same name at its top.
        List<Stmt> nest = List.of(
                new Loop("j", 1, List.of(new Declare("s", new Literal(1)))),
                new Loop("k", 1, List.of(new Store(9, Place.at(Affine.of("k")), new Literal(2), false))));
        assertEquals("""
                for j < 1
                  s = 1
                %9[0] = 2
                """, NestPrinter.print(Scheduler.schedule(nest)));
    }

    @Test
    void aLoopOfOneIterationStaysWhereALoopOfOneInsideItWouldBringUpADeclarationThatClashes() {
        // The inner loop of one brings s up into the outer one's body, whose splice would then
        // put s in scope for the last loop, which declares s inside it.
        List<Stmt> nest = List.of(new Loop(
                "n",
                2,
                List.of(
                        new Loop("j", 1, List.of(new Loop("i", 1, List.of(new Declare("s", new Literal(1)))))),
                        new Loop("k", 3, List.of(new Declare("s", new Literal(2)))))));
        assertEquals("""
                for n < 2
                  for j < 1
                    s = 1
                  for k < 3
                    s = 2
                """, NestPrinter.print(Scheduler.schedule(nest)));
    }

    @Test
    void aTableOfSumsRunsInBlocksOfIndependentSumsWithItsLeftoversInBlocksOfTheirOwn() {
        // rows[f][k] = Σ_o x[f * 20 + o] * p[k][o]: 3 rows by 7 columns, blocks of 2 by 4.
        Value term = new Value.Product(
                new Value.Load(0, Place.at(Affine.of("f").times(20).plus("o", 1))),
                new Value.Cell("p", Affine.of("k"), Affine.of("o")));
        Loop sum = new Loop("o", 20, List.of(new Stmt.Assign("s", new Value.Sum(new Local("s"), term))));
        Loop table = new Loop(
                "f",
                3,
                List.of(new Loop(
                        "k",
                        7,
                        List.of(
                                new Declare("s", new Literal(0)),
                                sum,
                                new Stmt.StoreCell("rows", Affine.of("f"), Affine.of("k"), new Local("s"))))));
        // The first block of rows runs once, and stays a loop: spliced, its sums would be in scope
        // where the next blocks declare theirs.
        assertEquals("""
                for fBlock < 1
                  s00 = 0
                  s01 = 0
                  s02 = 0
                  s03 = 0
                  s10 = 0
                  s11 = 0
                  s12 = 0
                  s13 = 0
                  for o < 20
                    s00 := (s00 + (%0[o] * p[0][o]))
                    s01 := (s01 + (%0[o] * p[1][o]))
                    s02 := (s02 + (%0[o] * p[2][o]))
                    s03 := (s03 + (%0[o] * p[3][o]))
                    s10 := (s10 + (%0[o + 20] * p[0][o]))
                    s11 := (s11 + (%0[o + 20] * p[1][o]))
                    s12 := (s12 + (%0[o + 20] * p[2][o]))
                    s13 := (s13 + (%0[o + 20] * p[3][o]))
                  rows[0][0] = s00
                  rows[0][1] = s01
                  rows[0][2] = s02
                  rows[0][3] = s03
                  rows[1][0] = s10
                  rows[1][1] = s11
                  rows[1][2] = s12
                  rows[1][3] = s13
                for k from 4 to 7
                  s00 = 0
                  s10 = 0
                  for o < 20
                    s00 := (s00 + (%0[o] * p[k][o]))
                    s10 := (s10 + (%0[o + 20] * p[k][o]))
                  rows[0][k] = s00
                  rows[1][k] = s10
                for f from 2 to 3
                  s00 = 0
                  s01 = 0
                  s02 = 0
                  s03 = 0
                  for o < 20
                    s00 := (s00 + (%0[f * 20 + o] * p[0][o]))
                    s01 := (s01 + (%0[f * 20 + o] * p[1][o]))
                    s02 := (s02 + (%0[f * 20 + o] * p[2][o]))
                    s03 := (s03 + (%0[f * 20 + o] * p[3][o]))
                  rows[f][0] = s00
                  rows[f][1] = s01
                  rows[f][2] = s02
                  rows[f][3] = s03
                for f from 2 to 3
                  for k from 4 to 7
                    s = 0
                    for o < 20
                      s := (s + (%0[f * 20 + o] * p[k][o]))
                    rows[f][k] = s
                """, NestPrinter.print(Scheduler.schedule(List.of(table))));
    }

    @Test
    void paddedPatchesByTapAreCutAtThePaddingIntoRunsWithTheCutsOutsideTheRows() {
        // 3x3 taps, padding 1, on [2, 4, 4]: the rows and columns of each tap cut into zeros,
        // a copied run and zeros; the cuts depend on the tap only, so they sit outside the rows.
        Window window = new Window(List.of(3, 3), List.of(1, 1), List.of(1, 1), List.of(1, 1), List.of(1, 1));
        WindowGeometry g = WindowGeometry.of(window, Shape.of(2, 4, 4));
        assertEquals("""
                for c < 2
                  for ky < 3
                    split oy from oyFrom = Math.min(4, Math.max(0, 1 - ky)) to oyTo = Math.max(oyFrom, Math.min(4, 5 - ky))
                    for kx < 3
                      for oy from 0 to oyFrom
                        fill ox from 0 to 4: p[c * 9 + ky * 3 + kx][oy * 4 + ox] = 0
                      split ox from oxFrom = Math.min(4, Math.max(0, 1 - kx)) to oxTo = Math.max(oxFrom, Math.min(4, 5 - kx))
                      for oy from oyFrom to oyTo
                        let iy = oy + ky - 1
                        fill ox from 0 to oxFrom: p[c * 9 + ky * 3 + kx][oy * 4 + ox] = 0
                        copy ox from oxFrom to oxTo: p[c * 9 + ky * 3 + kx][oy * 4 + ox] = %0[c * 16 + iy * 4 + ox + kx - 1]
                        fill ox from oxTo to 4: p[c * 9 + ky * 3 + kx][oy * 4 + ox] = 0
                      for oy from oyTo to 4
                        fill ox from 0 to 4: p[c * 9 + ky * 3 + kx][oy * 4 + ox] = 0
                """, NestPrinter.print(Loops.patches(g, 0, "p", false)));
    }

    @Test
    void unpaddedPatchesByPositionCopyEachRowOfTapsAlongItsLength() {
        // 2x2 taps on [1, 3, 3]: no padding, so no cuts and no zeros; each output's row of taps
        // is written in order, a run of two inputs per tap row.
        Window window = Window.of(List.of(2, 2), List.of(1, 1));
        WindowGeometry g = WindowGeometry.of(window, Shape.of(1, 3, 3));
        assertEquals("""
                for oy < 2
                  for ox < 2
                    for ky < 2
                      let iy = oy + ky
                      copy kx from 0 to 2: p[oy * 2 + ox][ky * 2 + kx] = %0[iy * 3 + ox + kx]
                """, NestPrinter.print(Loops.patches(g, 0, "p", true)));
    }

    @Test
    void paddedPatchesByPositionRunDownTheColumnsInRunsOfAnOutputRow() {
        // 1-D, kernel 3, padding 1, length 4, by position: the taps outside, a column of the
        // patches cut at the padding; a store down a column is a loop, not a run.
        Window window = new Window(List.of(3), List.of(1), List.of(1), List.of(1), List.of(1));
        WindowGeometry g = WindowGeometry.of(window, Shape.of(1, 4));
        assertEquals("""
                for kx < 3
                  split ox from oxFrom = Math.min(4, Math.max(0, 1 - kx)) to oxTo = Math.max(oxFrom, Math.min(4, 5 - kx))
                  for ox from 0 to oxFrom
                    p[ox][kx] = 0
                  for ox from oxFrom to oxTo
                    let ix = ox + kx - 1
                    p[ox][kx] = %0[ix]
                  for ox from oxTo to 4
                    p[ox][kx] = 0
                """, NestPrinter.print(Loops.patches(g, 0, "p", true)));
    }

    @Test
    void aGuardThatNeverHoldsLeavesOnlyItsOtherwise() {
        // for v < 3: if 0 <= v + 5 < 4 ... else p[0][v] = 0: v + 5 is 5..7, never inside.
        Stmt zero = new Stmt.StoreCell("p", Affine.constant(0), Affine.of("v"), new Literal(0));
        Stmt copy = new Stmt.StoreCell(
                "p", Affine.constant(0), Affine.of("v"), new Value.Load(0, Place.at(Affine.of("v"))));
        Loop loop =
                new Loop("v", 3, List.of(Stmt.Within.orElse(Affine.of("v").plus(5), 4, List.of(copy), List.of(zero))));
        assertEquals("""
                fill v from 0 to 3: p[0][v] = 0
                """, NestPrinter.print(Scheduler.schedule(List.of(loop))));
    }

    @Test
    void aConvolutionStraightFromItsInputRunsOnlyOverTheTapsInsideIt() {
        // One filter of 2x2 taps over [2, 3, 3] padded by 2 (past the window): output 6x6, a
        // window in the padding runs no tap; the channels innermost, the bias first.
        Window window = new Window(List.of(2, 2), List.of(1, 1), List.of(2, 2), List.of(2, 2), List.of(1, 1));
        Shape input = Shape.of(2, 3, 3);
        SpatialOp.Conv conv = new SpatialOp.Conv(window, input, true);
        Node node = new Node(3, conv, List.of(0, 1, 2), Shape.of(1, 6, 6), Origin.none());
        assertEquals("""
                for oy < 6
                  for ox < 6
                    s = %2[0]
                    for ky from Math.max(0, 2 - oy) to Math.min(2, 5 - oy)
                      let iy = oy + ky - 2
                      for kx from Math.max(0, 2 - ox) to Math.min(2, 5 - ox)
                        let ix = ox + kx - 2
                        for c < 2
                          s := (s + (%1[c * 4 + ky * 2 + kx] * %0[c * 9 + iy * 3 + ix]))
                    %3[oy * 6 + ox] = s
                """, NestPrinter.print(Loops.directConvolution(node)));
    }

    @Test
    void aConvolutionsGradientsStraightFromItsInputVisitOnlyTheTapsInsideIt() {
        // 1-D, two channels of length 3, one filter of kernel 2 padded by 2: output length 6.
        Window window = new Window(List.of(2), List.of(1), List.of(2), List.of(2), List.of(1));
        Shape input = Shape.of(2, 3);
        Node inputGradient =
                new Node(3, new SpatialOp.ConvInputGrad(window, input), List.of(0, 1), input, Origin.none());
        assertEquals("""
                for i < 6
                  %3[i] = 0
                for ox < 6
                  dy = %0[ox]
                  for kx from Math.max(0, 2 - ox) to Math.min(2, 5 - ox)
                    let ix = ox + kx - 2
                    for c < 2
                      %3[c * 3 + ix] += (dy * %1[c * 2 + kx])
                """, NestPrinter.print(Loops.directInputGradient(inputGradient, 1)));
        Node weightGradient = new Node(
                4, new SpatialOp.ConvWeightGrad(window, input), List.of(0, 2), Shape.of(1, 2, 2), Origin.none());
        assertEquals("""
                for c < 2
                  for kx < 2
                    s = 0
                    for ox from Math.max(0, 2 - kx) to Math.min(6, 5 - kx)
                      let ix = ox + kx - 2
                      s := (s + (%0[ox] * %2[c * 3 + ix]))
                    rows[0][c * 2 + kx] = s
                """, NestPrinter.print(Loops.directWeightGradient(weightGradient, "rows")));
    }

    @Test
    void anElementwiseStoreRunsRowByRowOverAMatrixAndOnceOverAScalar() {
        assertEquals("""
                for r < 2
                  for c < 3
                    %1[r * 3 + c] = op %1[r * 3 + c]
                """, elementwise(Shape.of(2, 3), false));
        assertEquals("""
                %1[0] = op %1[0]
                """, elementwise(Shape.scalar(), false));
    }

    @Test
    void anElementwiseStoreOverOneRowLosesItsRowLoop() {
        assertEquals("""
                for c < 4
                  %1[c] = op %1[c]
                """, elementwise(Shape.of(1, 4), false));
    }

    @Test
    void anUnrolledElementwiseStoreIsOneStatementPerElementInRowMajorOrder() {
        assertEquals("""
                %1[0] = op %1[0]
                %1[1] = op %1[1]
                %1[2] = op %1[2]
                %1[3] = op %1[3]
                """, elementwise(Shape.of(2, 2), true));
    }

    @Test
    void aSamplesMatrixVectorProductAddsEachRowIntoAnAccumulatorStoredOnce() {
        assertEquals("""
                for r < 2
                  acc = 0
                  for c < 3
                    acc := (acc + (%0[r * 3 + c] * %1[c]))
                  %2[r] = acc
                """, reduction(new TensorOp.MatVec(), false, Shape.of(2, 3), Shape.of(3)));
    }

    @Test
    void anUnrolledTotalIsOneSumFromItsFirstTerm() {
        assertEquals("""
                %2[0] = (((%0[0] * %1[0]) + (%0[1] * %1[1])) + (%0[2] * %1[2]))
                %2[1] = (((%0[3] * %1[0]) + (%0[4] * %1[1])) + (%0[5] * %1[2]))
                """, reduction(new TensorOp.MatVec(), true, Shape.of(2, 3), Shape.of(3)));
    }

    @Test
    void aTotalAtAFixedPlaceAddsInPlaceOverTheRowsAndColumnsOfAMatrix() {
        assertEquals("""
                %1[0] = 0
                for r < 2
                  for c < 3
                    %1[0] += %0[r * 3 + c]
                """, reduction(new TensorOp.Sum(), false, Shape.of(2, 3)));
    }

    @Test
    void columnSumsRunAlongTheRowsAndRowSumsAccumulate() {
        assertEquals("""
                for o < 3
                  %1[o] = 0
                for k < 2
                  for o < 3
                    %1[o] += %0[k * 3 + o]
                """, reduction(new TensorOp.ColumnSum(), false, Shape.of(2, 3)));
        assertEquals("""
                for o < 2
                  acc = 0
                  for k < 3
                    acc := (acc + %0[o * 3 + k])
                  %1[o] = acc
                """, reduction(new TensorOp.RowSum(), false, Shape.of(2, 3)));
    }

    @Test
    void aSoftmaxShiftsByItsMaximumAndDividesEachExponentialInPlace() {
        assertEquals("""
                max = -Infinity
                for i < 3
                  max := max(max, %0[i])
                max := 0 if infinite
                total = 0
                for i < 3
                  %1[i] = exp((%0[i] - max))
                  total := (total + %1[i])
                for i < 3
                  %1[i] = (%1[i] / total)
                """, reduction(new VectorOp.Softmax(), false, Shape.of(3)));
    }

    @Test
    void aSoftmaxCrossEntropyIsTheLogSumExpMinusEachLogitWeightedByItsTarget() {
        assertEquals("""
                max = -Infinity
                max := max(max, %0[0])
                max := max(max, %0[1])
                max := 0 if infinite
                total = (exp((%0[0] - max)) + exp((%0[1] - max)))
                lse = (max + log(total))
                %2[0] = ((%1[0] * (lse - %0[0])) + (%1[1] * (lse - %0[1])))
                """, reduction(new LossOp.SoftmaxCrossEntropy(), true, Shape.of(2), Shape.of(2)));
    }

    @Test
    void aTableOfASamplesMatrixProductIsJammed() {
        // One block of 2 x 4 sums covers the whole table: its loop of one iteration stays, at the
        // top of the nest, to keep its sums to itself.
        assertEquals("""
                for rBlock < 1
                  acc00 = 0
                  acc01 = 0
                  acc02 = 0
                  acc03 = 0
                  acc10 = 0
                  acc11 = 0
                  acc12 = 0
                  acc13 = 0
                  for k < 16
                    acc00 := (acc00 + (%0[k] * %1[k * 4]))
                    acc01 := (acc01 + (%0[k] * %1[k * 4 + 1]))
                    acc02 := (acc02 + (%0[k] * %1[k * 4 + 2]))
                    acc03 := (acc03 + (%0[k] * %1[k * 4 + 3]))
                    acc10 := (acc10 + (%0[k + 16] * %1[k * 4]))
                    acc11 := (acc11 + (%0[k + 16] * %1[k * 4 + 1]))
                    acc12 := (acc12 + (%0[k + 16] * %1[k * 4 + 2]))
                    acc13 := (acc13 + (%0[k + 16] * %1[k * 4 + 3]))
                  %2[0] = acc00
                  %2[1] = acc01
                  %2[2] = acc02
                  %2[3] = acc03
                  %2[4] = acc10
                  %2[5] = acc11
                  %2[6] = acc12
                  %2[7] = acc13
                """, reduction(new TensorOp.MatMul(), false, Shape.of(2, 16), Shape.of(16, 4)));
    }

    /**
     * The nest of reduction {@code op} over inputs %0, %1, ... of {@code inputs}, computing the
     * node after them, its locals named as asked.
     */
    private static String reduction(Op op, boolean unrolled, Shape... inputs) {
        List<Node> nodes = new ArrayList<>();
        for (Shape input : inputs) {
            nodes.add(new Node(nodes.size(), read("x" + nodes.size(), input), List.of(), input, Origin.none()));
        }
        List<Integer> args = nodes.stream().map(Node::id).toList();
        Node node = new Node(nodes.size(), op, args, op.shape(List.of(inputs)), Origin.none());
        nodes.add(node);
        return NestPrinter.print(Loops.reduction(node, new Graph(nodes, List.of()), name -> name, unrolled));
    }

    /** The nest storing node %1, the negation of an input %0 of {@code shape}. */
    private static String elementwise(Shape shape, boolean unrolled) {
        Node negation = new Node(1, new UnaryOp.Negate(), List.of(0), shape, Origin.none());
        return NestPrinter.print(Loops.elementwise(negation, unrolled));
    }

    /** The scheduled nest of {@code op} over an input of {@code input}, node %0, computing node %1. */
    private static String nest(Op op, Shape input) {
        List<Node> nodes = new ArrayList<>();
        nodes.add(new Node(0, read("x", input), List.of(), input, Origin.none()));
        nodes.add(new Node(1, op, List.of(0), op.shape(List.of(input)), Origin.none()));
        return NestPrinter.print(Loops.of(nodes.get(1), new Graph(nodes, List.of())));
    }

    private static Op read(String name, Shape shape) {
        return new LeafOp.Input(name, shape, 0);
    }
}
