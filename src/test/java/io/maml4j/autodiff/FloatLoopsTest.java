package io.maml4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** The hand-written float32 loops against ND4J's passes and against tanh in float64. */
class FloatLoopsTest {
  // Not a multiple of the loops' chunk, so the last chunk is partial.
  private static final int N = 3 * 2048 + 77;

  private static INDArray random(SplittableRandom rng, double scale) {
    float[] v = new float[N];
    for (int i = 0; i < N; i++) {
      v[i] = (float) ((rng.nextDouble() - 0.5) * scale);
    }
    return Nd4j.create(v, new long[] {N}, DataType.FLOAT);
  }

  @Test
  void when_tanh_of_any_float_expect_within_6_ulp_and_its_derivative_from_the_same_values() {
    int n = 4_000_001;
    float[] x = new float[n + 6];
    for (int i = 0; i < n; i++) {
      x[i] = (i - n / 2) * 5e-6f; // [-10, 10]
    }
    float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-30f, -1e-42f, -0.0f};
    System.arraycopy(special, 0, x, n, special.length);
    INDArray in = Nd4j.create(x, new long[] {x.length}, DataType.FLOAT);
    INDArray y = Nd4j.create(DataType.FLOAT, x.length);
    INDArray dy = Nd4j.create(DataType.FLOAT, x.length);
    assertTrue(FloatLoops.applies(in, y, dy));
    FloatLoops.tanh(in, y, dy);
    float[] out = y.toFloatVector();
    float[] der = dy.toFloatVector();
    double worstUlp = 0;
    for (int i = 0; i < n; i++) {
      double exact = Math.tanh(x[i]);
      double ulp = Math.ulp((float) Math.max(Math.abs(exact), Float.MIN_NORMAL));
      worstUlp = Math.max(worstUlp, Math.abs(out[i] - exact) / ulp);
      assertTrue(Math.abs(out[i]) <= 1f, "|tanh| above 1 at " + x[i]);
      assertEquals(1f - out[i] * out[i], der[i], 0f, "derivative at " + x[i]);
    }
    assertTrue(worstUlp <= 6, "worst error " + worstUlp + " ulp");
    assertTrue(Float.isNaN(out[n]));
    // Saturated inputs land 4 ulp short of ±1 (tanh(7.905...) in float32), within the bound too.
    assertEquals(1f, out[n + 1], 4 * Math.ulp(1f));
    assertEquals(-1f, out[n + 2], 4 * Math.ulp(1f));
    assertEquals(1e-30f, out[n + 3], 1e-37f);
    assertEquals(-1e-42f, out[n + 4], 1e-44f);
    assertEquals(-0f, out[n + 5]); // the sign of zero is kept, as tanh does
  }

  @Test
  void when_a_fused_chain_runs_in_one_pass_expect_bit_identical_to_the_nd4j_passes() {
    SplittableRandom rng = new SplittableRandom(3);
    INDArray a = random(rng, 4);
    INDArray b = random(rng, 4);
    INDArray c = random(rng, 4);
    INDArray d = random(rng, 4);
    double k = -2.0;
    double odd = 0.1; // not a float: the loops round it to float, as ND4J's scalar ops do
    INDArray z = Nd4j.create(DataType.FLOAT, N);
    FloatLoops.apply(FloatLoops.Op.MUL, z, a, b, null, null, 0);
    assertArrayEquals(a.mul(b).toFloatVector(), z.toFloatVector());
    FloatLoops.apply(FloatLoops.Op.ONE_MINUS_SQUARE, z, a, null, null, null, 0);
    assertArrayEquals(a.mul(a).rsubi(1.0).toFloatVector(), z.toFloatVector());
    for (double s : new double[] {k, odd}) {
      FloatLoops.apply(FloatLoops.Op.MUL_SCALED, z, a, b, null, null, s);
      assertArrayEquals(a.mul(b).muli(s).toFloatVector(), z.toFloatVector());
      FloatLoops.apply(FloatLoops.Op.MUL_SUB_SCALED_MUL, z, a, b, c, d, s);
      assertArrayEquals(a.mul(b).subi(c.mul(d).muli(s)).toFloatVector(), z.toFloatVector());
    }
    FloatLoops.apply(FloatLoops.Op.MUL_ADD_MUL, z, a, b, c, d, 0);
    assertArrayEquals(a.mul(b).addi(c.mul(d)).toFloatVector(), z.toFloatVector());
  }

  @Test
  void when_operands_are_views_at_an_offset_expect_their_own_elements() {
    SplittableRandom rng = new SplittableRandom(5);
    INDArray whole = Nd4j.concat(0, random(rng, 2), random(rng, 2), random(rng, 2)).reshape(3, N);
    INDArray row = whole.getRow(2);
    assertTrue(row.offset() > 0);
    assertTrue(FloatLoops.applies(row));
    INDArray z = Nd4j.create(DataType.FLOAT, 1, N);
    INDArray a = whole.getRow(1);
    FloatLoops.apply(FloatLoops.Op.MUL, z, row, a, null, null, 0);
    assertArrayEquals(row.mul(a).toFloatVector(), z.toFloatVector());
  }

  @Test
  void when_float64_or_strided_expect_the_loops_not_to_apply() {
    assertFalse(FloatLoops.applies(Nd4j.rand(DataType.DOUBLE, 4, 5)));
    assertFalse(FloatLoops.applies(Nd4j.rand(DataType.FLOAT, 4, 5).transpose()));
    assertFalse(FloatLoops.applies(Nd4j.rand(DataType.FLOAT, 4, 5), Nd4j.rand(DataType.FLOAT, 4, 6)));
  }

  @Test
  void when_a_recorded_tanh_is_differentiated_twice_expect_the_float64_values() {
    // In float32 the tape's tanh takes 1 - y² from its forward pass; in float64 ND4J computes
    // both. First and second derivatives of sum(tanh(x)²) must agree to float32 rounding.
    SplittableRandom rng = new SplittableRandom(7);
    INDArray v = random(rng, 6).reshape(1, N);
    INDArray u = random(rng, 2).reshape(1, N);
    double[][] g = new double[2][];
    double[][] hv = new double[2][];
    DataType[] types = {DataType.FLOAT, DataType.DOUBLE};
    for (int t = 0; t < 2; t++) {
      Tensor x = Tensor.variable(v.castTo(types[t]));
      Tensor y = x.tanh();
      Tensor grad = Grad.grad(y.mul(y).sum(), java.util.List.of(x), true).get(0);
      g[t] = grad.toDoubles();
      hv[t] = Grad.grad(grad.mul(Tensor.constant(u.castTo(types[t]))).sum(), java.util.List.of(x), false).get(0)
          .toDoubles();
    }
    for (int i = 0; i < N; i++) {
      assertEquals(g[1][i], g[0][i], 2e-6 * Math.max(1, Math.abs(g[1][i])), "gradient at " + i);
      assertEquals(hv[1][i], hv[0][i], 1e-5 * Math.max(1, Math.abs(hv[1][i])), "Hessian-vector product at " + i);
    }
  }
}
