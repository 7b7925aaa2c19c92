package dev.nnc.compiler.semantic;

import dev.nnc.compiler.diagnostic.SourceSpan;
import java.util.List;
import java.util.Optional;

/** A checked declaration, ready for lowering to the graph IR; each becomes one Java class. */
public sealed interface Declaration {
    /** The declared name, which is also the Java class name. */
    String name();

    /** The declaration's header, from its keyword through its name ({@code network Xor}). */
    SourceSpan span();

    Optional<String> doc();

    /**
     * A checked network. {@code loss} and {@code optimizer} are both present (trainable) or both
     * absent (inference only). Definitions are in source order.
     */
    record Network(
            String name,
            SourceSpan span,
            Optional<String> doc,
            Precision precision,
            long seed,
            List<Symbol.Input> inputs,
            List<Symbol.Target> targets,
            List<Symbol.Param> parameters,
            List<Symbol.Definition> definitions,
            Term output,
            Optional<Term> loss,
            Optional<OptimizerSpec> optimizer)
            implements Declaration {
        public Network {
            inputs = List.copyOf(inputs);
            targets = List.copyOf(targets);
            parameters = List.copyOf(parameters);
            definitions = List.copyOf(definitions);
        }

        public boolean isTrainable() {
            return loss.isPresent();
        }

        /** Elements in one flat input row. */
        public int inputSize() {
            return inputs.stream().mapToInt(i -> i.shape().size()).sum();
        }

        /** Elements in one flat target row. */
        public int targetSize() {
            return targets.stream().mapToInt(t -> t.shape().size()).sum();
        }

        public int outputSize() {
            return output.shape().size();
        }

        /**
         * The buffers of the network's layers, in definition order: each {@code batch_norm}'s
         * {@code running_mean} and {@code running_var}.
         */
        public List<Buffer> buffers() {
            List<Buffer> buffers = new java.util.ArrayList<>();
            for (Term.BatchNorm norm : batchNorms()) {
                buffers.add(norm.runningMean());
                buffers.add(norm.runningVar());
            }
            return List.copyOf(buffers);
        }

        /** The {@code batch_norm} layers, in definition order (a definition holds at most one layer). */
        public List<Term.BatchNorm> batchNorms() {
            List<Term.BatchNorm> norms = new java.util.ArrayList<>();
            for (Symbol.Definition definition : definitions) {
                for (Term term : TermGraph.postOrder(definition.value())) {
                    if (term instanceof Term.BatchNorm norm && !norms.contains(norm)) {
                        norms.add(norm);
                    }
                }
            }
            return List.copyOf(norms);
        }

        /**
         * The embeddings the network computes, each once, in source order: their ids are the
         * input elements that every generated entry point checks before it reads a sample.
         */
        public List<Term.Embedding> embeddings() {
            List<Term.Embedding> embeddings = new java.util.ArrayList<>();
            for (Symbol.Definition definition : definitions) {
                for (Term term : TermGraph.postOrder(definition.value())) {
                    if (term instanceof Term.Embedding embedding && !embeddings.contains(embedding)) {
                        embeddings.add(embedding);
                    }
                }
            }
            return embeddings;
        }

        /** Total number of trainable scalars. */
        public int parameterCount() {
            return parameters.stream().mapToInt(p -> p.shape().size()).sum();
        }
    }

    /** A checked function: arguments, locals in source order, and the (scalar) result. */
    record Function(
            String name,
            SourceSpan span,
            Optional<String> doc,
            List<Symbol.Argument> arguments,
            List<Symbol.Definition> locals,
            Term result)
            implements Declaration {
        public Function {
            arguments = List.copyOf(arguments);
            locals = List.copyOf(locals);
        }
    }
}
