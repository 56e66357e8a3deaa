package io.maml4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Checks derivatives of any order against central finite differences, in float64.
 *
 * <p>Order 1 checks the gradient of {@code phi1(x) = sum(f(x) * r)}; order k checks the gradient
 * of {@code phi_k(x) = grad(phi_{k-1})(x) . v_{k-1}}, i.e. Hessian-vector products at order 2 and
 * the contraction of the third derivative at order 3, each against finite differences of the
 * analytic derivative one order below.
 */
public final class GradCheck {
  private GradCheck() {}

  /** Random float64 array with entries in [lo, hi). */
  public static INDArray uniform(Random rng, double lo, double hi, long... shape) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    for (long i = 0; i < a.length(); i++) {
      a.putScalar(i, lo + (hi - lo) * rng.nextDouble());
    }
    return a;
  }

  /**
   * Asserts that derivatives of {@code f} at {@code inputs} match finite differences at orders
   * 1..maxOrder with relative error at most {@code tol}.
   */
  public static void check(String name, Function<List<Tensor>, Tensor> f, List<INDArray> inputs,
      int maxOrder, double tol) {
    Random rng = new Random(name.hashCode());
    List<INDArray> xs = new ArrayList<>();
    for (INDArray in : inputs) {
      xs.add(in.castTo(DataType.DOUBLE).dup());
    }
    INDArray r;
    try (Tape.Scope s = Tape.noGrad()) {
      r = uniform(rng, -1, 1, f.apply(constants(xs)).shape());
    }
    List<List<INDArray>> dirs = new ArrayList<>();
    for (int k = 0; k < maxOrder; k++) {
      List<INDArray> v = new ArrayList<>();
      for (INDArray x : xs) {
        v.add(uniform(rng, -1, 1, x.shape()));
      }
      dirs.add(v);
    }
    for (int order = 1; order <= maxOrder; order++) {
      final int o = order;
      List<Tensor> vars = variables(xs);
      Tensor phi = phi(f, vars, r, dirs, o);
      List<Tensor> analytic = Grad.grad(phi, vars, false);
      double h = 1e-5;
      for (int i = 0; i < xs.size(); i++) {
        INDArray x = xs.get(i);
        for (long j = 0; j < x.length(); j++) {
          double x0 = x.getDouble(j);
          x.putScalar(j, x0 + h);
          double fp = phi(f, variables(xs), r, dirs, o).item();
          x.putScalar(j, x0 - h);
          double fm = phi(f, variables(xs), r, dirs, o).item();
          x.putScalar(j, x0);
          double fd = (fp - fm) / (2 * h);
          double an = analytic.get(i).value().getDouble(j);
          double err = Math.abs(fd - an) / Math.max(1.0, Math.max(Math.abs(fd), Math.abs(an)));
          assertTrue(err <= tol, String.format(
              "%s order %d input %d element %d: analytic %.12g vs finite difference %.12g (error %.3g)",
              name, o, i, j, an, fd, err));
        }
      }
    }
  }

  private static Tensor phi(Function<List<Tensor>, Tensor> f, List<Tensor> vars, INDArray r,
      List<List<INDArray>> dirs, int order) {
    Tensor phi = f.apply(vars).mul(Tensor.constant(r)).sum();
    for (int k = 1; k < order; k++) {
      List<Tensor> g = Grad.grad(phi, vars, true);
      Tensor next = null;
      for (int i = 0; i < g.size(); i++) {
        Tensor term = g.get(i).dot(Tensor.constant(dirs.get(k - 1).get(i)));
        next = next == null ? term : next.add(term);
      }
      phi = next;
    }
    return phi;
  }

  private static List<Tensor> variables(List<INDArray> xs) {
    List<Tensor> out = new ArrayList<>();
    for (INDArray x : xs) {
      out.add(Tensor.variable(x.dup()));
    }
    return out;
  }

  private static List<Tensor> constants(List<INDArray> xs) {
    List<Tensor> out = new ArrayList<>();
    for (INDArray x : xs) {
      out.add(Tensor.constant(x));
    }
    return out;
  }
}
