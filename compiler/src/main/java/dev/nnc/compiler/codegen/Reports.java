package dev.nnc.compiler.codegen;

import com.palantir.javapoet.MethodSpec;
import com.palantir.javapoet.TypeSpec;
import dev.nnc.compiler.autodiff.ReverseMode;
import dev.nnc.compiler.graph.Graph;
import dev.nnc.compiler.graph.Lowering;
import dev.nnc.compiler.graph.OpCount;
import dev.nnc.compiler.pass.Passes;
import dev.nnc.compiler.semantic.CheckedUnit;
import dev.nnc.compiler.semantic.Declaration;
import dev.nnc.compiler.semantic.Symbol;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Builds a {@link DeclarationReport} from the same graphs and classes the generator emits. */
final class Reports {
    private static final Set<String> NETWORK_KERNELS = Set.of("forward", "trainSample");
    private static final Set<String> FUNCTION_KERNELS = Set.of("value", "derivative", "gradient");

    private Reports() {}

    static DeclarationReport of(Declaration declaration, CheckedUnit unit) {
        if (declaration instanceof Declaration.Network network) {
            Graph graph = network.isTrainable()
                    ? Passes.optimize(
                            ReverseMode.differentiateLoss(Lowering.lower(network, Lowering.Mode.TRAINING), network))
                    : Passes.optimize(Lowering.lower(network, Lowering.Mode.PREDICTION));
            OpCount count = OpCount.of(graph);
            TypeSpec type = CodeGenerator.type(network, unit);
            return new DeclarationReport(
                    network.name(),
                    network.isTrainable() ? "network" : "inference network",
                    network.inputs().stream().map(Reports::describe).toList(),
                    List.of("output" + network.output().shape().toString().replace("scalar", "")),
                    network.parameterCount(),
                    count.forward(),
                    count.backward(),
                    kernels(type, NETWORK_KERNELS));
        }
        Declaration.Function function = (Declaration.Function) declaration;
        Graph graph = Passes.optimize(ReverseMode.differentiateValue(Lowering.lower(function), function));
        OpCount count = OpCount.of(graph);
        return new DeclarationReport(
                function.name(),
                "function",
                function.arguments().stream().map(Reports::describe).toList(),
                List.of("value"),
                0,
                count.forward(),
                count.backward(),
                kernels(CodeGenerator.type(function, unit), FUNCTION_KERNELS));
    }

    private static String describe(Symbol symbol) {
        return symbol.name() + (symbol.shape().isScalar() ? "" : symbol.shape().toString());
    }

    /** The kernel methods and the parts they were split into, in class order. */
    private static String kernels(TypeSpec type, Set<String> names) {
        return type.methodSpecs().stream()
                .filter(m -> names.contains(m.name()) || names.contains(m.name().replaceAll("\\d+$", "")))
                .map(MethodSpec::toString)
                .collect(Collectors.joining("\n"));
    }
}
