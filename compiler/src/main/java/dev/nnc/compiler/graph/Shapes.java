package dev.nnc.compiler.graph;

import dev.nnc.compiler.diagnostic.InternalCompilerError;
import dev.nnc.compiler.semantic.Shape;
import java.util.List;

/** Checks shared by the shape rules of several ops. */
final class Shapes {
    private Shapes() {}

    static void requireArity(Op op, List<Shape> args) {
        if (args.size() != op.arity()) {
            throw new InternalCompilerError(op.mnemonic() + " takes " + op.arity() + " operands, got " + args.size());
        }
    }

    static Shape requireSame(Op op, List<Shape> args) {
        requireArity(op, args);
        Shape first = args.get(0);
        for (Shape s : args) {
            if (!s.equals(first)) {
                throw new InternalCompilerError(op.mnemonic() + " needs equal shapes, got " + args);
            }
        }
        return first;
    }

    static void require(boolean condition, Op op, List<Shape> args) {
        if (!condition) {
            throw new InternalCompilerError(op.mnemonic() + " cannot take operands of shapes " + args);
        }
    }

    static String number(double value) {
        if (value == 0 && 1 / value < 0) {
            return "-0";
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return Long.toString((long) value);
        }
        return Double.toString(value);
    }
}
