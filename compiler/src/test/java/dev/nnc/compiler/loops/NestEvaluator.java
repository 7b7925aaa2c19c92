package dev.nnc.compiler.loops;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a nest in double precision as its statements define it, over the values of a tile's
 * samples: {@code nodes} maps a graph node to its rows (one per sample, read and written at the
 * current {@code b}, or row 0 outside the loops over samples), {@code arrays} the scratch rows and
 * weights the nest names. A {@link Stmt.Product} is its definition ({@code addend + x W}, summed in
 * order), a {@link Stmt.OuterSum} and a {@link Stmt.PatchProduct} too (a flat array of sums is row 0 of its entry), a {@link
 * Stmt.Activate} the exact functions. What a nest computes can so be checked
 * against the reference evaluator without the code generator.
 */
final class NestEvaluator extends NestInterpreter {
    private final Map<Integer, double[][]> nodes;
    private final Map<String, double[][]> arrays;
    private final Map<String, Double> locals = new HashMap<>();

    private NestEvaluator(Map<Integer, double[][]> nodes, Map<String, double[][]> arrays) {
        this.nodes = nodes;
        this.arrays = arrays;
    }

    static void run(List<Stmt> nest, Map<Integer, double[][]> nodes, Map<String, double[][]> arrays, int samples) {
        NestEvaluator evaluator = new NestEvaluator(nodes, arrays);
        evaluator.ints.put("m", samples);
        evaluator.block(nest);
    }

    @Override
    protected void write(String array, Affine row, Affine column, Value value) {
        arrays.get(array)[index(row)][index(column)] = value(value);
    }

    @Override
    protected void other(Stmt stmt) {
        if (stmt instanceof Stmt.Declare declare) {
            locals.put(declare.name(), value(declare.initial()));
        } else if (stmt instanceof Stmt.Assign assign) {
            locals.put(assign.name(), value(assign.value()));
        } else if (stmt instanceof Stmt.Store store) {
            double[] row = sampleRow(store.node());
            int at = index(((Place.At) store.place()).position());
            row[at] = store.accumulate() ? row[at] + value(store.value()) : value(store.value());
        } else if (stmt instanceof Stmt.Product product) {
            product(product);
        } else if (stmt instanceof Stmt.OuterSum sum) {
            outerSum(sum);
        } else if (stmt instanceof Stmt.PatchProduct product) {
            patchProduct(product);
        } else if (stmt instanceof Stmt.Activate a) {
            double[] row = arrays.get(a.array())[index(a.row())];
            for (int v = a.from(); v < a.from() + a.count(); v++) {
                ints.put(a.variable(), v);
                double x = value(a.value());
                row[v] = a.function() == Stmt.Activate.Gate.SIGMOID ? 1 / (1 + Math.exp(-x)) : Math.tanh(x);
            }
            ints.remove(a.variable());
        } else {
            super.other(stmt);
        }
    }

    private void product(Stmt.Product product) {
        double[][] w = arrays.get(product.weight());
        for (int b = 0; b < bound(product.samples()); b++) {
            double[] x = rows(product.x())[b];
            double[] y = new double[product.width()];
            for (int j = 0; j < product.width(); j++) {
                double s = 0;
                if (product.addend() instanceof Stmt.Product.Addend.Row row) {
                    s = arrays.get(row.array())[b][j];
                } else if (product.addend() instanceof Stmt.Product.Addend.Element e) {
                    s = nodes.get(e.node())[0][j];
                }
                for (int k = 0; k < product.inner(); k++) {
                    s += x[k] * w[k][j];
                }
                y[j] = s;
            }
            rows(product.y())[b] = y;
        }
    }

    /**
     * Its definition, sample by sample and term by term in order; the flag that clears the sums
     * is a local of the nest (1 true, 0 false).
     */
    private void outerSum(Stmt.OuterSum sum) {
        double[][] target = arrays.get(sum.sums().array());
        boolean clears = sum.clearWhile().map(flag -> locals.get(flag) != 0).orElse(false);
        for (int c = 0; c < sum.count(); c++) {
            for (int i = 0; i < sum.width(); i++) {
                double s = clears ? 0 : sumAt(target, sum, c, i);
                for (int b = 0; b < bound(sum.samples()); b++) {
                    for (int t = 0; t < sum.terms(); t++) {
                        s += rows(sum.scalars())[b][t * sum.count() + c] * rows(sum.rows())[b][t * sum.width() + i];
                    }
                }
                if (sum.sums().flat()) {
                    target[0][c * sum.width() + i] = s;
                } else {
                    target[c][i] = s;
                }
            }
        }
    }

    private static double sumAt(double[][] target, Stmt.OuterSum sum, int c, int i) {
        return sum.sums().flat() ? target[0][c * sum.width() + i] : target[c][i];
    }

    /** Its definition, each sum from its start in order of the terms. */
    private void patchProduct(Stmt.PatchProduct p) {
        for (int i = 0; i < p.rows(); i++) {
            for (int j = 0; j < p.width(); j++) {
                double s = 0;
                if (p.start() instanceof Stmt.PatchProduct.Start.ByRow bias) {
                    s = nodes.get(bias.node())[0][i];
                } else if (p.start() instanceof Stmt.PatchProduct.Start.ByColumn bias) {
                    s = nodes.get(bias.node())[0][j];
                }
                for (int k = 0; k < p.inner(); k++) {
                    s += factor(p, i, k) * arrays.get(p.b())[k][j];
                }
                if (p.c() instanceof Stmt.PatchProduct.Target.Scratch c) {
                    arrays.get(c.array())[i][j] = s;
                } else {
                    Stmt.PatchProduct.Target.Node c = (Stmt.PatchProduct.Target.Node) p.c();
                    sampleRow(c.node())[c.byRows() ? i * c.stride() + j : j * c.stride() + i] = s;
                }
            }
        }
    }

    private double factor(Stmt.PatchProduct p, int i, int k) {
        if (p.a() instanceof Stmt.PatchProduct.Factor.Scratch a) {
            return arrays.get(a.array())[i][k];
        }
        Stmt.PatchProduct.Factor.Node a = (Stmt.PatchProduct.Factor.Node) p.a();
        return sampleRow(a.node())[a.byRows() ? i * a.stride() + k : k * a.stride() + i];
    }

    private double[][] rows(Stmt.Product.Rows rows) {
        return rows instanceof Stmt.Product.Rows.Scratch scratch
                ? arrays.get(scratch.array())
                : nodes.get(((Stmt.Product.Rows.Sample) rows).node());
    }

    private double[] sampleRow(int node) {
        Integer b = ints.get("b");
        return nodes.get(node)[b == null ? 0 : b];
    }

    private double value(Value v) {
        if (v instanceof Value.Literal literal) {
            return literal.value();
        }
        if (v instanceof Value.Local local) {
            return locals.get(local.name());
        }
        if (v instanceof Value.Load load) {
            return sampleRow(load.node())[index(((Place.At) load.place()).position())];
        }
        if (v instanceof Value.Cell cell) {
            return arrays.get(cell.array())[index(cell.row())][index(cell.column())];
        }
        if (v instanceof Value.Sum s) {
            return value(s.left()) + value(s.right());
        }
        if (v instanceof Value.Product p) {
            return value(p.left()) * value(p.right());
        }
        if (v instanceof Value.Quotient q) {
            return value(q.left()) / value(q.right());
        }
        if (v instanceof Value.Difference d) {
            return value(d.left()) - value(d.right());
        }
        if (v instanceof Value.Maximum max) {
            return Math.max(value(max.left()), value(max.right()));
        }
        if (v instanceof Value.Positive p) {
            return value(p.test()) > 0 ? value(p.then()) : 0;
        }
        throw new IllegalArgumentException("not run here: " + v);
    }
}
