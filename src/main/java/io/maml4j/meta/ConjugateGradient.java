package io.maml4j.meta;

import io.maml4j.policy.Params;
import java.util.function.UnaryOperator;

/** Conjugate gradient for A x = b with A given only through products, as TRPO needs. */
public final class ConjugateGradient {
  private ConjugateGradient() {}

  /** Runs {@code iters} iterations (or until the residual is below 1e-10) from x = 0. */
  public static Params solve(UnaryOperator<Params> a, Params b, int iters) {
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
    return x;
  }

  static Params axpy(Params y, double a, Params x) {
    return y.zip(x, (yi, xi) -> yi.add(xi.scale(a)));
  }

}
