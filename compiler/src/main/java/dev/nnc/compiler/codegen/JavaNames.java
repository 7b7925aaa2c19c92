package dev.nnc.compiler.codegen;

import com.palantir.javapoet.NameAllocator;
import java.util.List;

/**
 * Every naming rule of generated code, in one place, for one generated class.
 *
 * <p>Values keep their spec names ({@code hidden}); unrolled elements add their index
 * ({@code hidden0}); adjoints take the prefix {@code d_}; optimizer state takes the state's
 * name as prefix ({@code m_hidden_weight}); compiler temporaries are {@code t3}. Dots in layer
 * parameter names become underscores ({@code hidden.weight} is {@code hidden_weight}). Java
 * keywords and collisions with generated members are resolved by JavaPoet's {@link
 * NameAllocator}, which appends underscores, so a user's {@code class} or {@code predict}
 * never breaks the class.
 */
final class JavaNames {
    /** Members every generated network or function class declares, reserved before user names. */
    private static final List<String> GENERATED_MEMBERS = List.of(
            "INPUT_SIZE",
            "TARGET_SIZE",
            "OUTPUT_SIZE",
            "PARAMETER_COUNT",
            "PARAMETER_NAMES",
            "PARAMETER_SHAPES",
            "NAME",
            "DEFAULT_SEED",
            "predict",
            "loss",
            "gradient",
            "trainStep",
            "getParameters",
            "setParameters",
            "save",
            "load",
            "copy",
            "name",
            "inputSize",
            "outputSize",
            "targetSize",
            "parameterCount",
            "parameterNames",
            "parameterShapes",
            "value",
            "derivative",
            "step",
            "random",
            "xs",
            "ys",
            "n",
            "x",
            "out",
            "outs",
            "grad",
            "row",
            "i",
            "j",
            "k",
            "sum",
            "total",
            "scale",
            "norm",
            "lossSum",
            "acc",
            "o",
            "r",
            "c",
            "weight",
            "xo",
            "yo",
            "oo",
            "forward",
            "sampleLoss",
            "trainSample",
            "trainOne",
            "accumulateGradient",
            "applyUpdate",
            "gradientNorm",
            "nonFiniteGradient",
            "requireLength",
            "requireRows",
            "sigmoid",
            "softplus",
            "leakyRelu",
            "elu",
            "gaussian",
            "square",
            "cube",
            "init",
            "other",
            "TILE",
            "m",
            "b",
            "w",
            "g",
            "d",
            "v",
            "y",
            "d0",
            "d1",
            "d2",
            "d3",
            "w0",
            "w1",
            "w2",
            "w3",
            "y0",
            "y1",
            "y2",
            "y3",
            "inputRows",
            "targetRows",
            "x0",
            "x1",
            "x2",
            "x3",
            "transposesStale",
            "refreshTransposes",
            "refreshTransposesRange",
            "forwardTile",
            "lossTile",
            "trainTile",
            "gradientTile",
            "dropout",
            "gradientSample",
            "bridgeIn",
            "bridgeTarget",
            "bridgeOut",
            "bridgeParameters",
            "toFloats",
            "toDoubles",
            "grow",
            "stepSize",
            "biasCorrection2Sqrt",
            "fscale",
            "this",
            "getClass",
            "hashCode",
            "equals",
            "toString",
            "shards",
            "parts",
            "partLoss",
            "partSquares",
            "splitGradient",
            "inputLayerSplit",
            "tileRow",
            "inputPartials",
            "inputDeltas",
            "inputWeightShare",
            "inputGradientShare",
            "accumulatePart",
            "computeInputPartials",
            "computeInputGradient");

    /** Members of a generated function class and the helpers its kernels may call. */
    private static final List<String> FUNCTION_MEMBERS = List.of(
            "value",
            "derivative",
            "gradient",
            "grad",
            "requireLength",
            "sigmoid",
            "softplus",
            "leakyRelu",
            "elu",
            "gaussian",
            "square",
            "cube",
            "acc",
            "i",
            "r",
            "c",
            "k",
            "o");

    private final NameAllocator allocator;

    private JavaNames(NameAllocator allocator) {
        this.allocator = allocator;
    }

    /** Names for a network class, where every generated member is reserved. */
    JavaNames() {
        this(GENERATED_MEMBERS);
    }

    private JavaNames(List<String> reserved) {
        this.allocator = new NameAllocator();
        for (String member : reserved) {
            allocator.newName(member, member);
        }
    }

    /** Names for a function class: only its few members and helpers are reserved. */
    static JavaNames forFunction() {
        return new JavaNames(FUNCTION_MEMBERS);
    }

    /** The Java name for the spec name {@code specName} under {@code tag} (allocated once). */
    String of(Object tag, String specName) {
        try {
            return allocator.get(tag);
        } catch (IllegalArgumentException notYetAllocated) {
            return allocator.newName(specName.replace('.', '_'), tag);
        }
    }

    /**
     * Names for the locals of one method: everything the class has allocated so far stays
     * taken, and what the method allocates does not leak into other methods.
     */
    JavaNames forMethod() {
        return new JavaNames(allocator.clone());
    }

    /** A reserved generated member's name. */
    String member(String name) {
        return allocator.get(name);
    }

    /** A fresh name that collides with nothing allocated so far. */
    String fresh(String suggestion) {
        return allocator.newName(suggestion);
    }
}
