package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Params;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/** Conjugate gradient on a 4x4 SPD system split over two named tensors, against direct solves. */
class ConjugateGradientTest {
  /** Symmetric, strictly diagonally dominant with a positive diagonal, hence SPD; off-diagonal terms. */
  private static final double[][] A = {{4, 1, 0, 1}, {1, 3, 1, 0}, {0, 1, 5, 2}, {1, 0, 2, 6}};
  /** b = A (1, -1, 2, 0.5). */
  private static final double[] B = {3.5, 0, 10, 8};

  private static Params params(double[] v) {
    return Params.of(List.of("a", "b"), List.of(
        Tensor.constant(Nd4j.create(new double[] {v[0], v[1]}, new long[] {2}, DataType.DOUBLE)),
        Tensor.constant(Nd4j.create(new double[] {v[2], v[3]}, new long[] {1, 2}, DataType.DOUBLE))));
  }

  private static double[] flat(Params p) {
    double[] a = p.get("a").toDoubles();
    double[] b = p.get("b").toDoubles();
    return new double[] {a[0], a[1], b[0], b[1]};
  }

  private static double[] mul(double[] x) {
    double[] y = new double[4];
    for (int i = 0; i < 4; i++) {
      for (int j = 0; j < 4; j++) {
        y[i] += A[i][j] * x[j];
      }
    }
    return y;
  }

  private static double dot(double[] x, double[] y) {
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      s += x[i] * y[i];
    }
    return s;
  }

  private static UnaryOperator<Params> counting(AtomicInteger calls) {
    return p -> {
      calls.incrementAndGet();
      return params(mul(flat(p)));
    };
  }

  @Test
  void when_system_is_4x4_spd_expect_the_direct_solution_in_exactly_4_products() {
    AtomicInteger calls = new AtomicInteger();
    double[] x = flat(ConjugateGradient.solve(counting(calls), params(B), 20));
    assertArrayEquals(new double[] {1, -1, 2, 0.5}, x, 1e-9);
    // n distinct eigenvalues: exact in n steps, then the residual test stops it.
    assertEquals(4, calls.get());
  }

  @Test
  void when_stopped_early_expect_the_krylov_minimiser() {
    // One step: x1 = (b.b / b.Ab) b.
    double[] ab = mul(B);
    double s = dot(B, B) / dot(B, ab);
    double[] x1 = flat(ConjugateGradient.solve(counting(new AtomicInteger()), params(B), 1));
    assertArrayEquals(new double[] {s * B[0], s * B[1], s * B[2], s * B[3]}, x1, 1e-12);
    // Two steps: the minimiser of x.Ax/2 - b.x over span{b, Ab}, by a 2x2 solve.
    double[][] k = {B, ab};
    double[][] m = new double[2][2];
    double[] r = new double[2];
    for (int i = 0; i < 2; i++) {
      r[i] = dot(k[i], B);
      for (int j = 0; j < 2; j++) {
        m[i][j] = dot(k[i], mul(k[j]));
      }
    }
    double det = m[0][0] * m[1][1] - m[0][1] * m[1][0];
    double c0 = (r[0] * m[1][1] - m[0][1] * r[1]) / det;
    double c1 = (m[0][0] * r[1] - m[1][0] * r[0]) / det;
    double[] expected = new double[4];
    for (int i = 0; i < 4; i++) {
      expected[i] = c0 * B[i] + c1 * ab[i];
    }
    double[] x2 = flat(ConjugateGradient.solve(counting(new AtomicInteger()), params(B), 2));
    assertArrayEquals(expected, x2, 1e-10);
  }

  @Test
  void when_solved_expect_its_product_without_another_product() {
    for (int iters : new int[] {1, 2, 3, 20}) {
      AtomicInteger calls = new AtomicInteger();
      ConjugateGradient.Solution s = ConjugateGradient.solveWithProduct(counting(calls), params(B), iters);
      int used = calls.get();
      double[] x = flat(s.x());
      assertArrayEquals(flat(ConjugateGradient.solve(counting(new AtomicInteger()), params(B), iters)), x, 0,
          iters + " iterations: the same solution as solve");
      // A x from the residual equals a fresh product at every iteration count, not only at convergence.
      assertArrayEquals(mul(x), flat(s.ax()), 1e-12, iters + " iterations: A x");
      assertEquals(Math.min(iters, 4), used, iters + " iterations: products");
    }
    // Zero right-hand side: x = 0 and A x = 0, without products.
    AtomicInteger calls = new AtomicInteger();
    ConjugateGradient.Solution z = ConjugateGradient.solveWithProduct(counting(calls), params(new double[4]), 10);
    assertArrayEquals(new double[4], flat(z.ax()), 0);
    assertEquals(0, calls.get());
  }

  @Test
  void when_right_hand_side_is_zero_expect_zero_without_products() {
    AtomicInteger calls = new AtomicInteger();
    double[] x = flat(ConjugateGradient.solve(counting(calls), params(new double[4]), 10));
    assertArrayEquals(new double[4], x, 0);
    assertEquals(0, calls.get());
  }

  @Test
  void when_solved_flat_expect_the_same_numbers_as_over_named_tensors_in_their_shapes() {
    ConjugateGradient.Solution named = ConjugateGradient.solveWithProduct(counting(new AtomicInteger()), params(B), 3);
    // A product that scribbles over its argument: CG hands it a copy of the direction.
    ConjugateGradient.FlatSolution flat = ConjugateGradient.solveWithProduct(v -> {
      double[] y = mul(v);
      java.util.Arrays.fill(v, Double.NaN);
      return y;
    }, B.clone(), 3);
    assertArrayEquals(flat(named.x()), flat.x(), 0);
    assertArrayEquals(flat(named.ax()), flat.ax(), 0);
    assertArrayEquals(new long[] {1, 2}, named.x().get("b").shape());
    assertArrayEquals(new long[] {2}, named.ax().get("a").shape());
    assertThrows(IllegalStateException.class, () -> ConjugateGradient.solveWithProduct(v -> new double[3], B, 3));
  }
}
