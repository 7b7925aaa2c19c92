package dev.nnc.compiler.frontend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nnc.compiler.diagnostic.Diagnostics;
import dev.nnc.compiler.diagnostic.SourceFile;
import dev.nnc.compiler.frontend.ast.Declaration;
import dev.nnc.compiler.frontend.ast.Expr;
import dev.nnc.compiler.frontend.ast.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The syntax of version 2: list literals for sizes and slices {@code x[a:b]}. */
class ListsAndSlicesTest {
    /** The value of the one definition in {@code definition}. */
    private static Expr parse(String definition) {
        Diagnostics diagnostics = new Diagnostics();
        var unit = FrontEnd.parse(SourceFile.of("t.nn", "network N { " + definition + " }"), diagnostics);
        assertFalse(diagnostics.hasErrors(), () -> diagnostics.sorted().toString());
        var network = (Declaration.Network) unit.orElseThrow().declarations().get(0);
        return ((Statement.Definition) network.body().get(0)).value();
    }

    private static String number(Expr expr) {
        return assertInstanceOf(Expr.Number.class, expr).text();
    }

    @Test
    void listsAreArgumentValuesPositionalOrNamed() {
        var call =
                assertInstanceOf(Expr.Call.class, parse("c = conv2d(x, 8, [3, 5], stride = [1, 2], padding = same);"));
        var kernel =
                assertInstanceOf(Expr.ListLiteral.class, call.arguments().get(2).value());
        assertEquals(
                List.of("3", "5"),
                kernel.elements().stream().map(ListsAndSlicesTest::number).toList());
        assertEquals("stride", call.arguments().get(3).name().orElseThrow());
        assertInstanceOf(Expr.ListLiteral.class, call.arguments().get(3).value());
        assertEquals(
                "same",
                assertInstanceOf(Expr.Name.class, call.arguments().get(4).value())
                        .name());
        assertEquals("[3, 5]".length(), kernel.span().end() - kernel.span().start());
    }

    @Test
    void slicesTakeBothBoundsOrEitherOrNone() {
        var both = assertInstanceOf(Expr.Slice.class, parse("s = x[1 + 1:n];"));
        assertInstanceOf(Expr.Binary.class, both.from().orElseThrow());
        assertEquals(
                "n", assertInstanceOf(Expr.Name.class, both.to().orElseThrow()).name());
        var open = assertInstanceOf(Expr.Slice.class, parse("s = x[:2];"));
        assertTrue(open.from().isEmpty());
        assertEquals("2", number(open.to().orElseThrow()));
        var end = assertInstanceOf(Expr.Slice.class, parse("s = x[3:];"));
        assertTrue(end.to().isEmpty());
        var all = assertInstanceOf(Expr.Slice.class, parse("s = x[:];"));
        assertTrue(all.from().isEmpty() && all.to().isEmpty());
    }

    @Test
    void slicesAndIndicesBindTighterThanOperatorsAndChain() {
        var sum = assertInstanceOf(Expr.Binary.class, parse("s = -x[0:2][1] * 2;"));
        var negate = assertInstanceOf(Expr.Unary.class, sum.left());
        var index = assertInstanceOf(Expr.Index.class, negate.operand());
        assertInstanceOf(Expr.Slice.class, index.target());
    }
}
