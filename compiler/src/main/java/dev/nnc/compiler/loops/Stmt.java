package dev.nnc.compiler.loops;

import java.util.List;

/**
 * A statement of a loop nest. Names are scoped as in Java: a loop's variable and the names its
 * body declares live until the end of the body.
 */
public sealed interface Stmt {

    /**
     * {@code for (int variable = from; variable < to; variable++) body}, with {@code variable}
     * always in {@code [0, extent)}: the lowering runs it over all of that, the {@link Scheduler}
     * may narrow it to where a guard holds.
     */
    record Loop(String variable, int extent, Bound from, Bound to, List<Stmt> body) implements Stmt {
        public Loop {
            body = List.copyOf(body);
        }

        /** Over the whole extent. */
        public Loop(String variable, int extent, List<Stmt> body) {
            this(variable, extent, new Bound.Fixed(0), new Bound.Fixed(extent), body);
        }

        /** Whether it runs over its whole extent. */
        public boolean isWhole() {
            return from.equals(new Bound.Fixed(0)) && to.equals(new Bound.Fixed(extent));
        }
    }

    /** {@code int name = value}, never reassigned: a name for an index that reads better. */
    record Let(String name, Affine value) implements Stmt {}

    /**
     * Runs {@code body} only where {@code 0 <= position < extent}, a tap that may fall into the
     * padding, and {@code otherwise} (often nothing) where it does not: a patch's zeros.
     * {@code low} and {@code high} say which of the two comparisons is still needed; the lowering
     * asks for both, and the {@link Scheduler} drops what the loop bounds prove.
     */
    record Within(Affine position, int extent, boolean low, boolean high, List<Stmt> body, List<Stmt> otherwise)
            implements Stmt {
        public Within {
            if (!low && !high) {
                throw new IllegalArgumentException("a guard with no comparison");
            }
            body = List.copyOf(body);
            otherwise = List.copyOf(otherwise);
        }

        public Within(Affine position, int extent, boolean low, boolean high, List<Stmt> body) {
            this(position, extent, low, high, body, List.of());
        }

        public static Within of(Affine position, int extent, List<Stmt> body) {
            return new Within(position, extent, true, true, body);
        }

        /** {@code body} inside {@code [0, extent)}, {@code otherwise} outside it. */
        public static Within orElse(Affine position, int extent, List<Stmt> body, List<Stmt> otherwise) {
            return new Within(position, extent, true, true, body, otherwise);
        }
    }

    /**
     * Where a loop over {@code [0, extent)} of {@code variable} is cut in three by a guard (see
     * {@link Scheduler}): {@code from = min(extent, first)} and {@code to = max(from, end)}, so
     * that {@code 0 <= from <= to <= extent} whatever the enclosing loops are. {@code first} is a
     * {@link Bound.FirstFrom} or a number, {@code end} an {@link Bound.EndBy} or a number; each of
     * the two that is not a number is declared as an {@code int} local named after the variable.
     */
    record Split(String variable, int extent, Bound first, Bound end) implements Stmt {
        public Split {
            if (first instanceof Bound.EndBy || first instanceof Bound.Named) {
                throw new IllegalArgumentException("a split from " + first);
            }
            if (end instanceof Bound.FirstFrom || end instanceof Bound.Named) {
                throw new IllegalArgumentException("a split to " + end);
            }
        }

        /** Where the part inside starts: a number, or the declared {@code variableFrom}. */
        public Bound from() {
            return first instanceof Bound.Fixed f
                    ? new Bound.Fixed(Math.min(extent, f.value()))
                    : new Bound.Named(variable + "From");
        }

        /** Where the part inside stops: a number, or the declared {@code variableTo}. */
        public Bound to() {
            if (from() instanceof Bound.Fixed f && end instanceof Bound.Fixed e) {
                return new Bound.Fixed(Math.max(f.value(), e.value()));
            }
            if (end instanceof Bound.Fixed e && e.value() == extent) {
                return end;
            }
            return new Bound.Named(variable + "To");
        }

        /** The locals it declares, in order. */
        public List<String> names() {
            return java.util.stream.Stream.of(from(), to())
                    .filter(b -> b instanceof Bound.Named)
                    .map(b -> ((Bound.Named) b).name())
                    .toList();
        }
    }

    /**
     * {@code for (int variable = from; variable < to; variable++) array[row][column] = value}
     * where {@code column} grows by one with {@code variable} and {@code row} does not change:
     * a run of a scratch row. {@code value} is a literal (a fill) or the load of a node's element
     * whose position grows by one with {@code variable} too (a copy of consecutive elements), so
     * the emitter may write it as one call. Its bounds are numbers or names of a {@link Split}, and
     * it runs {@code most} times at the most (the extent of its variable, or less where the
     * {@link Scheduler} knows better: the zeros at the ends of a padded row).
     */
    record Run(String variable, int most, Bound from, Bound to, String array, Affine row, Affine column, Value value)
            implements Stmt {}

    /** Declares a numeric local: {@code T name = initial}. */
    record Declare(String name, Value initial) implements Stmt {}

    /** {@code name = value}, for a local of {@link Declare}. */
    record Assign(String name, Value value) implements Stmt {}

    /** {@code node[index] = value}, or {@code +=} when {@code accumulate}. */
    record Store(int node, Place place, Value value, boolean accumulate) implements Stmt {}

    /** {@code array[row][column] = value}, into a scratch array of rows (see {@link Value.Cell}). */
    record StoreCell(String array, Affine row, Affine column, Value value) implements Stmt {}

    /**
     * {@code if (isInfinite(name)) name = 0}: a maximum that is infinite shifts nothing, so that a
     * log-sum-exp of {@code -Inf}s is {@code -Inf} rather than NaN.
     */
    record ZeroIfInfinite(String name) implements Stmt {}

    /** Declares a position found at run time, {@code int name = -1}: none found yet. */
    record Position(String name) implements Stmt {}

    /**
     * Keeps the first maximum seen: where {@code position} is still unset or {@code candidate}
     * (a local) is greater than {@code best}, {@code best} takes it and {@code position} takes
     * {@code at}. A NaN is never greater, so it is never kept (unless it is the first).
     */
    record KeepFirstMaximum(String position, String best, String candidate, Affine at) implements Stmt {}

    /**
     * Where {@code position} is still unset and {@code candidate} equals {@code target} (zeros of
     * both signs equal), {@code position} takes {@code at}; computed without a branch. Over a
     * window whose maximum is {@code target} and holds no NaN, this finds the position that
     * {@link KeepFirstMaximum} finds, with no comparison that can go either way.
     */
    record KeepFirstEqual(String position, String target, Value candidate, Affine at) implements Stmt {}

    /** Runs {@code body} where the numeric local {@code name} is not NaN, {@code otherwise} where it is. */
    record IfNotNaN(String name, List<Stmt> body, List<Stmt> otherwise) implements Stmt {
        public IfNotNaN {
            body = List.copyOf(body);
            otherwise = List.copyOf(otherwise);
        }
    }

    /**
     * {@code y[b] = addend + x[b] W} for the samples {@code b} in {@code [0, samples)}, at most
     * {@code most} of them: {@code x[b]} a row of {@code inner} and {@code y[b]} a row of {@code
     * width} ({@link Rows}: of scratch arrays, or the values of graph nodes for each sample), {@code
     * W} the weight {@code [inner][width]} whose rows the array {@code weight} holds (a field of the
     * class). A product of a whole row by a weight is the one step of a nest that the code generator
     * writes as a kernel of its choosing (blocked plain loops, or the runtime's register-blocked
     * products on the Vector API path), so its sums add in an order the nest does not fix: each
     * kernel adds them in its own order, the same for every sample and every tile.
     */
    record Product(Rows x, String weight, Rows y, Addend addend, int inner, int width, Bound samples, int most)
            implements Stmt {

        /** Where the rows of an operand or of the result are, one per sample. */
        public sealed interface Rows {

            /** The rows of the scratch array {@code array}. */
            record Scratch(String array) implements Rows {}

            /**
             * The value of node {@code node} for each sample, wherever the code generator keeps it
             * (a row of a tile, a view of another node's).
             */
            record Sample(int node) implements Rows {}
        }

        /** What each row of the product starts from. */
        public sealed interface Addend {

            /** Zero. */
            record None() implements Addend {}

            /**
             * Element {@code j} of node {@code node}, a vector of {@code width} (a bias), the same
             * for every sample.
             */
            record Element(int node) implements Addend {}

            /**
             * Row {@code b} of the scratch array {@code array}, which the product consumes: its
             * row may hold anything afterwards (the plain loops add into it and trade it for
             * {@code y}'s).
             */
            record Row(String array) implements Addend {}
        }
    }

    /**
     * {@code sums[c] += Σ_b Σ_t scalars[b][t][c] rows[b][t]} for {@code c} in {@code [0, count)}
     * and the samples {@code b} in {@code [0, samples)}, at most {@code most} of them: the sum over
     * a tile of the outer products of each sample's {@code terms} rows of {@code rows} (a matrix
     * {@code [terms][width]} per sample) with its rows of {@code scalars} ({@code [terms][count]}).
     * It is a weight's gradient over a tile: a dense layer's {@code dW = Σ_b dy[b] x[b]^T} kept by
     * columns (one term: row {@code c} of {@code sums} is column {@code c} of {@code dW}), or
     * {@code Σ_b Σ_t dp[b][t] x[b][t]^T} of a product applied to every row of a sample's matrix.
     * While the flag that {@code clearWhile} names is true (the first tile of a step) each row of
     * {@code sums} is cleared before the first sample adds to it, so that no pass of its own need
     * clear the gradient first. Like a {@link Product}, its kernel, and so the order of its sums,
     * is the code generator's choice.
     */
    record OuterSum(
            Product.Rows rows,
            Product.Rows scalars,
            Sums sums,
            int terms,
            int width,
            int count,
            Bound samples,
            int most,
            java.util.Optional<String> clearWhile)
            implements Stmt {

        /**
         * The array of a field that the sums add to: {@code count} rows of {@code width}, or, when
         * {@code flat}, one array in which row {@code c} starts at {@code c width}.
         */
        public record Sums(String array, boolean flat) {}
    }

    /**
     * {@code c[i][j] = start + Σ_k a(i, k) b[k][j]} for {@code i < rows}, {@code j < width} and
     * the terms {@code k < inner}: one sample's matrix product over a convolution's patches
     * (im2col), each row of the result a sum of rows of the scratch array {@code b} scaled by the
     * elements of {@code a}. It is the forward product (by tap: the weight times the patches; by
     * position: the patches times the weight's columns), the input gradient's patch gradients and
     * the weight gradient's rows. {@code row}, {@code term} and {@code column} name the three
     * indices in the Java (they read as the convolution's: {@code f}, {@code k}, {@code o}). Like
     * a {@link Product}, its kernel, and so the order of its sums, is the code generator's
     * choice.
     */
    record PatchProduct(
            String row,
            String term,
            String column,
            Factor a,
            String b,
            Target c,
            Start start,
            int rows,
            int inner,
            int width)
            implements Stmt {

        /** The scalars {@code a(i, k)}. */
        public sealed interface Factor {

            /**
             * Element {@code i stride + k} of node {@code node}'s value where {@code byRows}, element
             * {@code k stride + i} otherwise: a weight, or the sample's output gradient.
             */
            record Node(int node, int stride, boolean byRows) implements Factor {}

            /** {@code array[i][k]} of a scratch array. */
            record Scratch(String array) implements Factor {}
        }

        /** Where {@code c[i][j]} is. */
        public sealed interface Target {

            /** {@code array[i][j]} of a scratch array. */
            record Scratch(String array) implements Target {}

            /**
             * Element {@code i stride + j} of node {@code node}'s value where {@code byRows}, element
             * {@code j stride + i} otherwise.
             */
            record Node(int node, int stride, boolean byRows) implements Target {}
        }

        /** What each sum starts from. */
        public sealed interface Start {

            /** Zero. */
            record Zero() implements Start {}

            /** Element {@code i} of node {@code node} (a bias by rows of the result). */
            record ByRow(int node) implements Start {}

            /** Element {@code j} of node {@code node} (a bias by columns of the result). */
            record ByColumn(int node) implements Start {}
        }
    }

    /**
     * {@code array[row][variable] = function(value)} for {@code variable} in {@code [from, from +
     * count)}: a run of a recurrent cell's gates through the logistic function or tanh. The code
     * generator chooses the function's form, as the precision and the path allow (the exact
     * function, float's rational gate functions, or the runtime's vector functions over the run
     * once its arguments are stored); {@code value} reads {@code variable}.
     */
    record Activate(String variable, String array, Affine row, int from, int count, Gate function, Value value)
            implements Stmt {

        /** The two functions of the gates. */
        public enum Gate {
            SIGMOID,
            TANH
        }
    }
}
