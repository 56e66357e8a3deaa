package io.maml4j.meta;

import io.maml4j.policy.Params;
import java.util.function.UnaryOperator;

/** Conjugate gradient for A x = b with A given only through products, as TRPO needs. */
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

  /**
   * As {@link #solve}, also returning A x without another product with A: CG keeps the residual
   * r = b - A x by the recurrence r ← r - α A p over the very products that built x = Σ α p, so
   * b - r is Σ α A p = A x, equal in exact arithmetic to a fresh product. TRPO's step length needs
   * x^T A x; with the solve's 10 products a fresh one is an eleventh.
   */
  public static Solution solveWithProduct(UnaryOperator<Params> a, Params b, int iters) {
    Params x = b.map(t -> t.scale(0.0));
    Params r = b;
    Params p = b;
    double rr = r.dot(r).item();
    for (int i = 0; i < iters && rr > 1e-10; i++) {
      Params ap = a.apply(p);
      double alpha = rr / p.dot(ap).item();
      x = axpy(x, alpha, p);
      r = axpy(r, -alpha, ap);
      double rrNew = r.dot(r).item();
      double beta = rrNew / rr;
      p = r.zip(p, (ri, pi) -> ri.add(pi.scale(beta)));
      rr = rrNew;
    }
    return new Solution(x, axpy(b, -1.0, r));
  }

  static Params axpy(Params y, double a, Params x) {
    return y.zip(x, (yi, xi) -> yi.add(xi.scale(a)));
  }

}
