package io.maml4j.autodiff;

import static io.maml4j.autodiff.GradCheck.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Gradient checks of every tensor operation at orders 1, 2 and 3, with broadcasting. */
class TensorTest {
  private static final double TOL = 1e-6;
  private final Random rng = new Random(7);

  private void check3(String name, Function<List<Tensor>, Tensor> f, INDArray... inputs) {
    GradCheck.check(name, f, List.of(inputs), 3, TOL);
  }

  private INDArray u(long... shape) {
    return uniform(rng, -1, 1, shape);
  }

  @Test
  void binaryOpsWithBroadcasting() {
    long[][][] shapes = {
      {{3, 4}, {3, 4}}, {{3, 4}, {1, 4}}, {{2, 3, 4}, {4}}, {{2, 3, 1}, {2, 3, 4}}, {{2, 3}, {}},
    };
    for (long[][] s : shapes) {
      INDArray a = u(s[0]);
      INDArray b = u(s[1]);
      String tag = java.util.Arrays.toString(s[0]) + java.util.Arrays.toString(s[1]);
      check3("add" + tag, x -> x.get(0).add(x.get(1)), a, b);
      check3("sub" + tag, x -> x.get(0).sub(x.get(1)), a, b);
      check3("mul" + tag, x -> x.get(0).mul(x.get(1)), a, b);
      INDArray bPos = uniform(rng, 0.5, 1.5, s[1]);
      check3("div" + tag, x -> x.get(0).div(x.get(1)), a, bPos);
    }
  }

  @Test
  void unaryOps() {
    check3("neg", x -> x.get(0).neg(), u(3, 2));
    check3("scale", x -> x.get(0).scale(-2.5), u(3, 2));
    check3("addScalar", x -> x.get(0).addScalar(0.7).mul(x.get(0)), u(3, 2));
    check3("square", x -> x.get(0).square(), u(3, 2));
    check3("exp", x -> x.get(0).exp(), u(3, 2));
    check3("log", x -> x.get(0).log(), uniform(rng, 0.5, 2, 3, 2));
    check3("tanh", x -> x.get(0).tanh(), uniform(rng, -2, 2, 4, 3));
    // Kinks are kept away from the sample points so finite differences are valid.
    INDArray away = u(4, 3);
    for (long i = 0; i < away.length(); i++) {
      double v = away.getDouble(i);
      away.putScalar(i, Math.abs(v) < 0.1 ? v + 0.3 : v);
    }
    check3("relu", x -> x.get(0).relu().mul(x.get(0)), away);
    check3("clampMin", x -> x.get(0).clampMin(0.0).square(), away);
  }

  @Test
  void when_cumsum_expect_third_order_gradients_and_rows_summed_on_their_own_left_to_right() {
    check3("cumsum", x -> x.get(0).cumsum(false).tanh(), u(3, 5));
    check3("cumsumReverse", x -> x.get(0).cumsum(true).exp(), u(2, 3, 4));
    // DiCE's running log-probabilities rely on this: a row's sums are a left-to-right float loop
    // over that row alone, the same bits whether it comes alone or among other rows.
    int h = 17;
    int rows = 40;
    double[] x = new double[rows * h];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (rng.nextGaussian() * 3);
    }
    double[] all = Tensor.of(x, DataType.FLOAT, rows, h).cumsum(false).toDoubles();
    double[] back = Tensor.of(x, DataType.FLOAT, rows, h).cumsum(true).toDoubles();
    for (int r = 0; r < rows; r++) {
      double[] row = java.util.Arrays.copyOfRange(x, r * h, (r + 1) * h);
      double[] alone = Tensor.of(row, DataType.FLOAT, 1, h).cumsum(false).toDoubles();
      float acc = 0;
      float accBack = 0;
      for (int j = 0; j < h; j++) {
        acc += (float) row[j];
        accBack += (float) row[h - 1 - j];
        assertEquals(acc, all[r * h + j], 0, "row " + r + ", step " + j);
        assertEquals(acc, alone[j], 0, "row " + r + " alone, step " + j);
        assertEquals(accBack, back[r * h + h - 1 - j], 0,
            "row " + r + " reversed, step " + j);
      }
    }
  }

  @Test
  void reductionsAndShapes() {
    check3("sum", x -> x.get(0).square().sum(), u(2, 3, 4));
    check3("sumAxes", x -> x.get(0).square().sum(1), u(2, 3, 4));
    check3("sumAxes02", x -> x.get(0).tanh().sum(0, 2), u(2, 3, 4));
    check3("broadcastTo", x -> x.get(0).broadcastTo(2, 3, 4).tanh(), u(3, 1));
    check3("sumTo", x -> x.get(0).tanh().sumTo(1, 4), u(2, 3, 4));
    check3("reshape", x -> x.get(0).reshape(4, 3).tanh(), u(2, 6));
    check3("dot", x -> x.get(0).dot(x.get(1).tanh()), u(3, 2), u(3, 2));
  }

  @Test
  void matmulAllTransposesRank2AndRank3() {
    boolean[] tf = {false, true};
    for (boolean ta : tf) {
      for (boolean tb : tf) {
        INDArray a = ta ? u(4, 3) : u(3, 4);
        INDArray b = tb ? u(2, 4) : u(4, 2);
        check3("matmul2 " + ta + tb, x -> x.get(0).matmul(x.get(1), ta, tb).tanh(), a, b);
        INDArray a3 = ta ? u(2, 4, 3) : u(2, 3, 4);
        INDArray b3 = tb ? u(2, 2, 4) : u(2, 4, 2);
        check3("matmul3 " + ta + tb, x -> x.get(0).matmul(x.get(1), ta, tb).tanh(), a3, b3);
      }
    }
    check3("matmul3x2", x -> x.get(0).matmul(x.get(1)).tanh(), u(2, 3, 4), u(4, 2));
  }

  @Test
  void affineLayerThirdOrder() {
    check3("affine rank 2", x -> x.get(0).affine(x.get(1), x.get(2)).tanh().square(), u(5, 3), u(3, 4), u(1, 4));
    check3("affine shared weight", x -> x.get(0).affine(x.get(1), x.get(2)).tanh().square(), u(2, 5, 3), u(3, 4),
        u(1, 4));
    check3("affine per task", x -> x.get(0).affine(x.get(1), x.get(2)).tanh().square(), u(2, 5, 3), u(2, 3, 4),
        u(2, 1, 4));
  }

  @Test
  void affineRoundsAsMatmulThenAddInFloat32() {
    long[][][] shapes = {{{2, 700, 3}, {3, 64}, {1, 64}}, {{2, 700, 64}, {2, 64, 64}, {2, 1, 64}}, {{9, 5}, {5, 2}, {1, 2}}};
    for (long[][] sh : shapes) {
      INDArray[] xs = {u(sh[0]).castTo(DataType.FLOAT), u(sh[1]).castTo(DataType.FLOAT), u(sh[2]).castTo(DataType.FLOAT)};
      List<Tensor> fused = List.of(Tensor.variable(xs[0]), Tensor.variable(xs[1]), Tensor.variable(xs[2]));
      List<Tensor> plain = List.of(Tensor.variable(xs[0].dup()), Tensor.variable(xs[1].dup()), Tensor.variable(xs[2].dup()));
      Tensor yf = fused.get(0).affine(fused.get(1), fused.get(2));
      Tensor yp = plain.get(0).matmul(plain.get(1)).add(plain.get(2));
      assertArrayEquals(yp.shape(), yf.shape());
      assertArrayEquals(yp.value().dup('c').data().asFloat(), yf.value().dup('c').data().asFloat());
      List<Tensor> gf = Grad.grad(yf.tanh().sum(), fused, false);
      List<Tensor> gp = Grad.grad(yp.tanh().sum(), plain, false);
      for (int i = 0; i < 3; i++) {
        assertArrayEquals(gp.get(i).value().dup('c').data().asFloat(), gf.get(i).value().dup('c').data().asFloat());
      }
    }
  }

  @Test
  void mlpCompositeThirdOrder() {
    // A two-layer tanh network: the shape of every policy in the toolkit.
    check3("mlp", x -> x.get(0).matmul(x.get(1)).add(x.get(2)).tanh().matmul(x.get(3)).square(),
        u(5, 3), u(3, 4), u(1, 4), u(4, 2));
  }

  @Test
  void matmulMatchesNaiveProduct() {
    INDArray a = u(3, 4);
    INDArray b = u(4, 2);
    INDArray c = Tensor.constant(a).matmul(Tensor.constant(b)).value();
    for (int i = 0; i < 3; i++) {
      for (int j = 0; j < 2; j++) {
        double s = 0;
        for (int k = 0; k < 4; k++) {
          s += a.getDouble(i, k) * b.getDouble(k, j);
        }
        assertEquals(s, c.getDouble(i, j), 1e-12);
      }
    }
  }

  @Test
  void gradientOfUnrelatedInputIsZero() {
    Tensor x = Tensor.variable(u(2, 2));
    Tensor y = Tensor.variable(u(2, 2));
    List<Tensor> g = Grad.grad(x.square().sum(), List.of(x, y), false);
    assertEquals(0.0, g.get(1).value().norm2Number().doubleValue());
    assertArrayEquals(new long[] {2, 2}, g.get(1).shape());
  }

  @Test
  void castToTheSameTypeIsIdentityAndGradientsComeBackInTheSourceType() {
    check3("cast-same", x -> x.get(0).cast(DataType.DOUBLE).tanh(), u(3, 2));
    // Through float32 and back finite differences are meaningless, so compare with the exact
    // derivatives of sum(x^3): 3 x^2, and the Hessian-vector product 6 x v.
    INDArray x0 = u(4, 3);
    INDArray v = u(4, 3);
    Tensor x = Tensor.variable(x0);
    Tensor y = x.cast(DataType.FLOAT).square().mul(x.cast(DataType.FLOAT)).sum();
    Tensor g = Grad.grad(y, List.of(x), true).get(0);
    assertEquals(DataType.DOUBLE, g.dataType());
    Tensor hv = Grad.grad(g.mul(Tensor.constant(v)).sum(), List.of(x), false).get(0);
    assertEquals(DataType.DOUBLE, hv.dataType());
    double[] gd = g.toDoubles();
    double[] hd = hv.toDoubles();
    for (int i = 0; i < gd.length; i++) {
      double xi = x0.getDouble(i);
      assertEquals(3 * xi * xi, gd[i], 1e-5);
      assertEquals(6 * xi * v.getDouble(i), hd[i], 1e-5);
    }
  }

  @Test
  void gradWithoutCreateGraphIsConstant() {
    Tensor x = Tensor.variable(u(2, 2));
    Tensor g = Grad.grad(x.tanh().sum(), List.of(x), false).get(0);
    assertEquals(false, g.requiresGrad());
    Tensor g2 = Grad.grad(x.tanh().sum(), List.of(x), true).get(0);
    assertEquals(true, g2.requiresGrad());
  }

  @Test
  void noGradRecordsNothing() {
    Tensor x = Tensor.variable(u(2, 2));
    try (Tape.Scope s = Tape.noGrad()) {
      assertEquals(false, x.tanh().requiresGrad());
    }
    assertEquals(true, x.tanh().requiresGrad());
  }

  @Test
  void badShapesAreRejectedWithTheShapes() {
    Tensor a = Tensor.constant(Nd4j.create(DataType.DOUBLE, 2, 3));
    Tensor b = Tensor.constant(Nd4j.create(DataType.DOUBLE, 4, 3));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
    assertEquals("shapes [2, 3] and [4, 3] do not broadcast", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> a.matmul(b));
  }

  @Test
  void arenaFreesWhatItOwnsAndEscapesSurvive() {
    Tensor x = Tensor.variable(u(3, 3));
    Tensor kept;
    Tensor inner;
    try (Arena arena = Arena.open()) {
      inner = x.tanh().square();
      kept = arena.escape(inner);
    }
    assertEquals(true, inner.value().wasClosed());
    assertEquals(false, kept.value().wasClosed());
    assertEquals(false, x.value().wasClosed());
  }

  @Test
  void releaseHandsTheBufferToTheNextAllocationAndLeavesOtherArenasAlone() {
    Tensor x = Tensor.constant(Nd4j.rand(DataType.FLOAT, 100, 100));
    try (Arena outer = Arena.open()) {
      Tensor outerOwned = x.mul(x);
      try (Arena arena = Arena.open()) {
        Tensor a = x.mul(x);
        long address = a.value().data().address();
        int owned = arena.size();
        Arena.release(a);
        assertEquals(owned - 1, arena.size());
        Tensor b = x.add(x);
        assertEquals(address, b.value().data().address(), "the released buffer is reused first");
        // Not this arena's: nothing happens to it.
        Arena.release(outerOwned);
        assertEquals(owned, arena.size());
        Tensor c = x.add(x);
        assertEquals(false, c.value().data().address() == outerOwned.value().data().address());
        assertEquals(2 * x.value().getFloat(7), c.value().getFloat(7), 0f);
      }
      assertEquals(x.value().getFloat(3) * x.value().getFloat(3), outerOwned.value().getFloat(3), 0f);
    }
  }
}
