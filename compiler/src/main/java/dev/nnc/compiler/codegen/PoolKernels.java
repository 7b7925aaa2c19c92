package dev.nnc.compiler.codegen;

import com.palantir.javapoet.ClassName;
import com.palantir.javapoet.CodeBlock;
import dev.nnc.compiler.graph.Node;
import dev.nnc.compiler.graph.SpatialOp;
import dev.nnc.compiler.graph.Window;
import dev.nnc.compiler.loops.WindowGeometry;
import dev.nnc.compiler.semantic.Shape;
import java.util.Optional;

/**
 * The Vector API path of max pools over windows of one or two rows by two columns at a stride of
 * the window, without padding, and of their gradients: one call per sample of the runtime's {@code
 * VectorPools} ({@code DoubleVectorPools} in double classes), in front of the plain loops of the
 * loop-nest stage. The pools of LeNet-5 took a fifth of its training step in the plain loops
 * (docs/codegen.md, "Pools by vectors"); the results are the same bits.
 */
final class PoolKernels {
    private static final ClassName POOLS = ClassName.get("dev.nnc.runtime.vector", "VectorPools");
    private static final ClassName DOUBLE_POOLS = ClassName.get("dev.nnc.runtime.vector", "DoubleVectorPools");

    private PoolKernels() {}

    /** The call that computes {@code node} for the current sample, if it is a pool of that kind. */
    static Optional<CodeBlock> call(KernelEmitter kernel, Numeric numeric, Node node) {
        ClassName pools = numeric.isFloat() ? POOLS : DOUBLE_POOLS;
        if (node.op() instanceof SpatialOp.MaxPool pool) {
            WindowGeometry g = pairs(pool.window(), pool.input());
            if (g == null) {
                return Optional.empty();
            }
            Optional<KernelEmitter.SampleRows> x = kernel.flatRun(node.arg(0));
            Optional<KernelEmitter.SampleRows> y = kernel.flatRun(node.id());
            if (x.isEmpty() || y.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(CodeBlock.of(
                    "$T.maxPoolPairs($L, $L, $L, $L, $L);\n",
                    pools,
                    run(x.get()),
                    run(y.get()),
                    extents(g),
                    g.kh(),
                    CodeBlock.of("$L, $L", g.outH(), g.outW())));
        }
        if (node.op() instanceof SpatialOp.MaxPoolGrad grad) {
            WindowGeometry g = pairs(grad.window(), grad.input());
            if (g == null) {
                return Optional.empty();
            }
            Optional<KernelEmitter.SampleRows> dy = kernel.flatRun(node.arg(0));
            Optional<KernelEmitter.SampleRows> x = kernel.flatRun(node.arg(1));
            Optional<KernelEmitter.SampleRows> y = kernel.flatRun(node.arg(2));
            Optional<KernelEmitter.SampleRows> dx = kernel.flatRun(node.id());
            if (dy.isEmpty() || x.isEmpty() || y.isEmpty() || dx.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(CodeBlock.of(
                    "$T.maxPoolPairsGradient($L, $L, $L, $L, $L, $L, $L, $L);\n",
                    pools,
                    run(dy.get()),
                    run(x.get()),
                    run(y.get()),
                    run(dx.get()),
                    extents(g),
                    g.kh(),
                    g.outH(),
                    g.outW()));
        }
        return Optional.empty();
    }

    /** The window's extents if it is one or two rows by two columns at a stride of the window without padding; else null. */
    private static WindowGeometry pairs(Window window, Shape input) {
        WindowGeometry g = WindowGeometry.of(window, input);
        boolean pairs = g.kw() == 2
                && g.sw() == 2
                && (g.kh() == 1 || g.kh() == 2)
                && g.sh() == g.kh()
                && g.ph() == 0
                && g.pw() == 0
                && g.dh() == 1
                && g.dw() == 1;
        return pairs ? g : null;
    }

    private static CodeBlock run(KernelEmitter.SampleRows rows) {
        return CodeBlock.of("$L, $L", rows.array(), rows.offset());
    }

    private static CodeBlock extents(WindowGeometry g) {
        return CodeBlock.of("$L, $L, $L", g.channels(), g.inH(), g.inW());
    }
}
