package io.maml4j.meta;

import io.maml4j.policy.Params;
import java.util.function.UnaryOperator;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Conjugate gradient for A x = b with A given only through products, as TRPO needs.
 *
 * <p>The recurrences run on flat float64 arrays in plain loops: a TRPO solve is a few thousand
 * parameters and ten products, and as per-tensor ND4J operations its dots and updates were some
 * 80 native calls per iteration, run on the driver while every task worker waited for the next
 * direction. Sums run in index order, so a solve is the same number for the same inputs.
 */
public final class ConjugateGradient {
  private ConjugateGradient() {}

  /** Runs {@code iters} iterations (or until the residual is below 1e-10) from x = 0. */
  public static Params solve(UnaryOperator<Params> a, Params b, int iters) {
    return solveWithProduct(a, b, iters).x();
  }

  /**
   * A solution x of A x = b with its product A x.
   *
   * @param x the solution after the iterations run
   * @param ax A x, from CG's own residual: A x = b - r
   */
  public record Solution(Params x, Params ax) {}

  /** {@link Solution} for flat vectors. */
  public record FlatSolution(double[] x, double[] ax) {}

  /**
   * As {@link #solve}, also returning A x without another product with A (see {@link
   * #solveWithProduct(UnaryOperator, double[], int)}); the parameters go flat in name order and
   * come back in float64, in b's names and shapes.
   */
  public static Solution solveWithProduct(UnaryOperator<Params> a, Params b, int iters) {
    FlatSolution s = solveWithProduct(v -> a.apply(b.withFlat(v, DataType.DOUBLE)).flat(), b.flat(), iters);
    return new Solution(b.withFlat(s.x(), DataType.DOUBLE), b.withFlat(s.ax(), DataType.DOUBLE));
  }

  /**
   * CG from x = 0, also returning A x: CG keeps the residual r = b - A x by the recurrence r ← r -
   * α A p over the very products that built x = Σ α p, so b - r is Σ α A p = A x, equal in exact
   * arithmetic to a fresh product. TRPO's step length needs x^T A x; with the solve's 10 products a
   * fresh one is an eleventh. The product is given a copy of the direction.
   */
  public static FlatSolution solveWithProduct(UnaryOperator<double[]> a, double[] b, int iters) {
    int n = b.length;
    double[] x = new double[n];
    double[] r = b.clone();
    double[] p = b.clone();
    double rr = dot(r, r);
    for (int i = 0; i < iters && rr > 1e-10; i++) {
      double[] ap = a.apply(p.clone());
      if (ap.length != n) {
        throw new IllegalStateException("the product returned " + ap.length + " values for a vector of " + n);
      }
      double alpha = rr / dot(p, ap);
      for (int j = 0; j < n; j++) {
        x[j] += alpha * p[j];
        r[j] -= alpha * ap[j];
      }
      double rrNew = dot(r, r);
      double beta = rrNew / rr;
      for (int j = 0; j < n; j++) {
        p[j] = r[j] + beta * p[j];
      }
      rr = rrNew;
    }
    double[] ax = new double[n];
    for (int j = 0; j < n; j++) {
      ax[j] = b[j] - r[j];
    }
    return new FlatSolution(x, ax);
  }

  /** Σ x_j y_j in index order. */
  static double dot(double[] x, double[] y) {
    double s = 0;
    for (int j = 0; j < x.length; j++) {
      s += x[j] * y[j];
    }
    return s;
  }
}
