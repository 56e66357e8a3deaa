package io.maml4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The fused kernels against the unfused tensor operations they replace. */
class FusedTest {
  private final SplittableRandom rng = new SplittableRandom(3);

  private Tensor random(long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    double[] x = new double[(int) n];
    for (int i = 0; i < x.length; i++) {
      x[i] = rng.nextDouble() * 2 - 1;
    }
    return Tensor.of(x, DataType.DOUBLE, shape);
  }

  private static void assertSame(Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape());
    assertArrayEquals(expected.toDoubles(), actual.toDoubles(), 1e-12);
  }

  @Test
  void when_two_products_are_summed_expect_the_sum_of_the_products() {
    Tensor h = random(2, 5, 3);
    Tensor t = random(2, 5, 4);
    Tensor w = random(2, 3, 6);
    Tensor shared = random(4, 6);
    Tensor d = random(2, 5, 6);
    assertSame(h.matmul(w).add(t.matmul(shared)), Fused.matmulSum(h, w, false, false, t, shared, false, false));
    assertSame(h.matmul(d, true, false).add(h.matmul(d, true, false)),
        Fused.matmulSum(h, d, true, false, h, d, true, false));
    assertSame(d.matmul(w, false, true), Fused.matmulSum(d, w, false, true, null, null, false, false));
    assertSame(d.matmul(shared, false, true), Fused.matmulSum(d, shared, false, true, null, null, false, false));
  }

  @Test
  void when_a_row_bias_is_given_expect_it_added_to_every_row_in_float64_and_bit_for_bit_in_float32() {
    Tensor h = random(3, 700, 4); // more rows than one scratch chunk holds
    Tensor w = random(3, 4, 6);
    Tensor t = random(3, 700, 6);
    Tensor shared = random(6, 6);
    Tensor bias = random(3, 1, 6);
    Tensor sharedBias = random(1, 6);
    assertSame(h.matmul(w).add(bias), Fused.matmulSum(h, w, false, false, null, null, false, false, bias));
    assertSame(h.matmul(w).add(t.matmul(shared)).add(sharedBias),
        Fused.matmulSum(h, w, false, false, t, shared, false, false, sharedBias));
    // float32: one product plus the bias rounds as the product then the add; a second product
    // accumulates after the bias, (bias + p1) + p2.
    Tensor h32 = Tensor.constant(h.value().castTo(DataType.FLOAT));
    Tensor w32 = Tensor.constant(w.value().castTo(DataType.FLOAT));
    Tensor t32 = Tensor.constant(t.value().castTo(DataType.FLOAT));
    Tensor s32 = Tensor.constant(shared.value().castTo(DataType.FLOAT));
    Tensor b32 = Tensor.constant(bias.value().castTo(DataType.FLOAT));
    assertArrayEquals(h32.matmul(w32).add(b32).value().data().asFloat(),
        Fused.matmulSum(h32, w32, false, false, null, null, false, false, b32).value().dup('c').data().asFloat());
    assertArrayEquals(b32.add(h32.matmul(w32)).add(t32.matmul(s32)).value().dup('c').data().asFloat(),
        Fused.matmulSum(h32, w32, false, false, t32, s32, false, false, b32).value().dup('c').data().asFloat());
    assertThrows(IllegalArgumentException.class,
        () -> Fused.matmulSum(h, w, false, false, null, null, false, false, random(2, 1, 6)));
  }

  @Test
  void when_a_point_is_stepped_expect_a_minus_k_b_in_float64_and_bit_for_bit_in_float32() {
    Tensor a = random(3, 700, 5); // more elements than one scratch chunk
    Tensor b = random(3, 700, 5);
    Tensor shared = random(700, 5);
    assertSame(a.sub(b.scale(0.37)), Fused.subScaled(a, b, 0.37));
    assertSame(shared.sub(b.scale(0.37)), Fused.subScaled(shared, b, 0.37));
    Tensor a32 = Tensor.constant(a.value().castTo(DataType.FLOAT));
    Tensor b32 = Tensor.constant(b.value().castTo(DataType.FLOAT));
    Tensor s32 = Tensor.constant(shared.value().castTo(DataType.FLOAT));
    assertArrayEquals(a32.sub(b32.scale(0.1)).value().data().asFloat(),
        Fused.subScaled(a32, b32, 0.1).value().data().asFloat());
    // The shared point repeats for every task: each task's slice is stepped from the same point.
    Tensor stepped = Fused.subScaled(s32, b32, 0.1);
    assertArrayEquals(b32.shape(), stepped.shape());
    assertArrayEquals(s32.sub(b32.scale(0.1)).value().data().asFloat(), stepped.value().data().asFloat());
    assertThrows(IllegalArgumentException.class, () -> Fused.subScaled(random(3, 5), b, 0.1));
  }

  @Test
  void when_inner_sizes_differ_expect_a_clear_error() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Fused.matmulSum(random(2, 5, 3), random(2, 4, 6), false, false, null, null, false, false));
    assertFalse(e.getMessage().isEmpty());
  }

  @Test
  void when_rows_are_summed_expect_the_sum_over_the_middle_axis() {
    Tensor x = random(3, 7, 4);
    assertSame(x.sum(1), Fused.sumRows(x));
  }

  @Test
  void when_elementwise_chains_are_fused_expect_the_unfused_values() {
    Tensor a = random(2, 5, 3);
    Tensor b = random(2, 5, 3);
    Tensor c = random(2, 5, 3);
    Tensor d = random(1, 3);
    assertSame(a.mul(b).add(c.mul(d)), Fused.mulAddMul(a, b, c, d));
    assertSame(a.mul(b).sub(c.mul(d).scale(2.0)), Fused.mulSubScaledMul(a, b, c, d, 2.0));
    assertSame(a.mul(b).scale(-2.0), Fused.mulScaled(a, b, -2.0));
    assertSame(a.add(b).add(d), Fused.add3(a, b, d));
    assertSame(a.square().neg().addScalar(1.0), Fused.oneMinusSquare(a));
    assertSame(a.clampMin(0.1), Fused.clampMin(a, 0.1));
    Tensor k = random(2, 5, 1);
    Tensor p = a.exp().div(a.exp().sum(2));
    assertSame(p.mul(b).sub(p.mul(p.mul(b).sum(2))).mul(k), Fused.softmaxJvp(p, b, k));
  }
}
