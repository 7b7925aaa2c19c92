package dev.nnc.compiler.graph;

import dev.nnc.compiler.diagnostic.SourceSpan;
import dev.nnc.compiler.semantic.Builtin;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Initializer;
import dev.nnc.compiler.semantic.OptimizerSpec;
import dev.nnc.compiler.semantic.Precision;
import dev.nnc.compiler.semantic.Shape;
import dev.nnc.compiler.semantic.Symbol;
import dev.nnc.compiler.semantic.Term;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Hand-made checked declarations (the semantic checker's output contract), so that lowering,
 * differentiation and passes can be tested without the front end. Shapes follow the language's
 * rules: a scalar broadcasts over the other operand.
 */
public final class Specs {
    private Specs() {}

    public static SourceSpan span() {
        return SourceSpan.of("test.nn", 1, 1, 0, 1);
    }

    public static Term lit(double value) {
        return new Term.Literal(value, span());
    }

    public static Term read(Symbol symbol) {
        return new Term.Read(symbol, span());
    }

    public static Term neg(Term x) {
        return new Term.Negate(x, span());
    }

    public static Term add(Term a, Term b) {
        return arithmetic(Term.Arithmetic.Op.ADD, a, b);
    }

    public static Term sub(Term a, Term b) {
        return arithmetic(Term.Arithmetic.Op.SUBTRACT, a, b);
    }

    public static Term mul(Term a, Term b) {
        return arithmetic(Term.Arithmetic.Op.MULTIPLY, a, b);
    }

    public static Term div(Term a, Term b) {
        return arithmetic(Term.Arithmetic.Op.DIVIDE, a, b);
    }

    private static Term arithmetic(Term.Arithmetic.Op op, Term a, Term b) {
        return new Term.Arithmetic(op, a, b, wider(a.shape(), b.shape()), span());
    }

    private static Shape wider(Shape a, Shape b) {
        return a.isScalar() ? b : a;
    }

    public static Term pow(Term base, double exponent) {
        return new Term.Power(base, exponent, span());
    }

    public static Term element(Term vector, int index) {
        return new Term.Element(vector, index, span());
    }

    public static Term matmul(Term a, Term b) {
        Shape shape = b.shape().isVector()
                ? Shape.vector(a.shape().rows())
                : Shape.matrix(a.shape().rows(), b.shape().cols());
        return new Term.MatMul(a, b, shape, span());
    }

    public static Term call(Builtin function, Term... args) {
        return call(function, function.optionDefault(), args);
    }

    public static Term call(Builtin function, double option, Term... args) {
        Shape shape = switch (function.kind()) {
            case ELEMENTWISE -> args.length == 2 ? wider(args[0].shape(), args[1].shape()) : args[0].shape();
            case VECTOR -> args[0].shape();
            default -> Shape.scalar();
        };
        return new Term.Apply(function, Arrays.asList(args), option, shape, span());
    }

    public static Symbol.Input input(String name, Shape shape, int offset) {
        return new Symbol.Input(name, shape, offset, span());
    }

    public static Symbol.Target target(String name, Shape shape, int offset) {
        return new Symbol.Target(name, shape, offset, span());
    }

    public static Symbol.Param param(String name, Shape shape) {
        return new Symbol.Param(name, shape, Initializer.defaultFor(shape), shape.isMatrix(), span());
    }

    public static Symbol.Argument argument(String name, Shape shape, int index) {
        return new Symbol.Argument(name, shape, index, span());
    }

    public static Symbol.Definition define(String name, Term value) {
        return new Symbol.Definition(name, value, Optional.empty(), span());
    }

    public static Declaration.Function function(String name, Term result, Symbol.Argument... arguments) {
        return new Declaration.Function(name, span(), Optional.empty(), List.of(arguments), List.of(), result);
    }

    public static OptimizerSpec sgd() {
        return new OptimizerSpec(
                OptimizerSpec.Kind.SGD,
                0.1,
                0,
                false,
                1e-8,
                0.9,
                0.9,
                0.999,
                OptionalDouble.empty(),
                OptionalDouble.empty(),
                span());
    }

    /** Collects the symbols of a network while its definitions are written. */
    public static final class NetworkBuilder {
        private final String name;
        private final List<Symbol.Input> inputs = new ArrayList<>();
        private final List<Symbol.Target> targets = new ArrayList<>();
        private final List<Symbol.Param> params = new ArrayList<>();
        private final List<Symbol.Definition> definitions = new ArrayList<>();
        private int inputOffset;
        private int targetOffset;

        public NetworkBuilder(String name) {
            this.name = name;
        }

        public Term input(String inputName, Shape shape) {
            Symbol.Input input = Specs.input(inputName, shape, inputOffset);
            inputOffset += shape.size();
            inputs.add(input);
            return read(input);
        }

        public Term target(String targetName, Shape shape) {
            Symbol.Target target = Specs.target(targetName, shape, targetOffset);
            targetOffset += shape.size();
            targets.add(target);
            return read(target);
        }

        public Term param(String paramName, Shape shape) {
            Symbol.Param param = Specs.param(paramName, shape);
            params.add(param);
            return read(param);
        }

        public Term define(String definitionName, Term value) {
            Symbol.Definition definition = Specs.define(definitionName, value);
            definitions.add(definition);
            return read(definition);
        }

        /** {@code definitionName = dense(x, units, activation)}, owning its weight and bias. */
        public Term dense(String definitionName, Term x, int units, Builtin activation, double option) {
            int in = x.shape().size();
            Symbol.Param weight = Specs.param(definitionName + ".weight", Shape.matrix(units, in));
            Symbol.Param bias = Specs.param(definitionName + ".bias", Shape.vector(units));
            params.add(weight);
            params.add(bias);
            Term dense = new Term.Dense(x, weight, Optional.of(bias), activation, option, Shape.vector(units), span());
            return define(definitionName, dense);
        }

        public Term dense(String definitionName, Term x, int units, Builtin activation) {
            return dense(definitionName, x, units, activation, activation.optionDefault());
        }

        /** {@code definitionName = rbf(x, units)}. */
        public Term rbf(String definitionName, Term x, int units) {
            int in = x.shape().size();
            Symbol.Param centers = Specs.param(definitionName + ".centers", Shape.matrix(units, in));
            Symbol.Param widths = Specs.param(definitionName + ".widths", Shape.vector(units));
            params.add(centers);
            params.add(widths);
            return define(definitionName, new Term.Rbf(x, centers, widths, Shape.vector(units), span()));
        }

        public Term dropout(String definitionName, Term x, double rate) {
            return define(definitionName, new Term.Dropout(x, rate, span()));
        }

        public Declaration.Network build(Term output, Term loss) {
            return new Declaration.Network(
                    name,
                    span(),
                    Optional.empty(),
                    Precision.DOUBLE,
                    0,
                    inputs,
                    targets,
                    params,
                    definitions,
                    output,
                    Optional.ofNullable(loss),
                    Optional.ofNullable(loss).map(l -> sgd()));
        }
    }
}
