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

/**
 * The conv-net operations: values against naive loops, exact adjointness of the linear
 * primitives, and derivatives at orders 1 and 2 against central finite differences in float64,
 * including batch normalisation in training mode and the padding and stride edge cases.
 */
class ConvTest {
  private static final double TOL = 1e-6;
  private final Random rng = new Random(11);

  private INDArray u(long... shape) {
    return uniform(rng, -1, 1, shape);
  }

  private static void check2(String name, Function<List<Tensor>, Tensor> f, INDArray... inputs) {
    GradCheck.check(name, f, List.of(inputs), 2, TOL);
  }

  /** out[t][b][f][i][j] = bias[f] + sum_{c, p, q} w[f, c, p, q] x[t, c, b, i*s + p - pad, j*s + q - pad]. */
  private static double[][][][][] naiveConv(INDArray x, INDArray w, INDArray bias, int s, int pad, boolean perTask) {
    long[] xs = x.shape();
    int o = perTask ? 1 : 0;
    int f = (int) w.size(o);
    int k = (int) w.size(o + 2);
    int oh = (int) ((xs[3] + 2 * pad - k) / s + 1);
    int ow = (int) ((xs[4] + 2 * pad - k) / s + 1);
    double[][][][][] out = new double[(int) xs[0]][(int) xs[2]][f][oh][ow];
    for (int t = 0; t < xs[0]; t++) {
      for (int b = 0; b < xs[2]; b++) {
        for (int ff = 0; ff < f; ff++) {
          for (int i = 0; i < oh; i++) {
            for (int j = 0; j < ow; j++) {
              double acc = bias == null ? 0 : perTask ? bias.getDouble(t, ff) : bias.getDouble(ff);
              for (int c = 0; c < xs[1]; c++) {
                for (int p = 0; p < k; p++) {
                  for (int q = 0; q < k; q++) {
                    long r = (long) i * s + p - pad;
                    long cc = (long) j * s + q - pad;
                    if (r < 0 || cc < 0 || r >= xs[3] || cc >= xs[4]) {
                      continue;
                    }
                    double wv = perTask ? w.getDouble(t, ff, c, p, q) : w.getDouble(ff, c, p, q);
                    acc += wv * x.getDouble(t, c, b, r, cc);
                  }
                }
              }
              out[t][b][ff][i][j] = acc;
            }
          }
        }
      }
    }
    return out;
  }

  /** {@code got} is [T, F, B, OH, OW], Conv's layout; {@code want} is indexed [t][b][f][i][j]. */
  private static void assertMatches(double[][][][][] want, INDArray got) {
    assertEquals(want.length, got.size(0));
    assertEquals(want[0].length, got.size(2));
    for (int t = 0; t < want.length; t++) {
      for (int b = 0; b < want[t].length; b++) {
        for (int f = 0; f < want[t][b].length; f++) {
          for (int i = 0; i < want[t][b][f].length; i++) {
            for (int j = 0; j < want[t][b][f][i].length; j++) {
              assertEquals(want[t][b][f][i][j], got.getDouble(t, f, b, i, j), 1e-12,
                  "at " + t + "," + b + "," + f + "," + i + "," + j);
            }
          }
        }
      }
    }
  }

  // Edge cases: {H, W, K, stride, padding}: odd sizes, stride 2, a kernel larger than the input
  // but not than the padded input, an even kernel, a kernel exactly the padded input.
  private static final int[][] GEOMETRIES = {
    {5, 5, 3, 1, 1}, {5, 7, 3, 2, 1}, {2, 3, 3, 1, 1}, {4, 4, 2, 2, 0}, {3, 3, 5, 1, 1}, {6, 5, 4, 2, 2},
  };

  @Test
  void when_conv2d_of_each_geometry_expect_the_naive_loop_values() {
    for (int[] g : GEOMETRIES) {
      INDArray x = u(2, 3, 2, g[0], g[1]);
      INDArray w = u(4, 3, g[2], g[2]);
      INDArray bias = u(4);
      Tensor y = Conv.conv2d(Tensor.constant(x), Tensor.constant(w), Tensor.constant(bias), g[3], g[4]);
      assertMatches(naiveConv(x, w, bias, g[3], g[4], false), y.value());
      INDArray wt = u(2, 4, 3, g[2], g[2]);
      INDArray bt = u(2, 4);
      Tensor yt = Conv.conv2d(Tensor.constant(x), Tensor.constant(wt), Tensor.constant(bt), g[3], g[4]);
      assertMatches(naiveConv(x, wt, bt, g[3], g[4], true), yt.value());
    }
  }

  @Test
  void when_im2col_and_col2im_expect_exact_adjoints() {
    for (int[] g : GEOMETRIES) {
      Conv.Window win = new Conv.Window(g[2], g[3], g[4]);
      INDArray x = u(2, 3, 2, g[0], g[1]);
      Tensor cols = Conv.im2col(Tensor.constant(x), win);
      INDArray c = u(cols.shape());
      Tensor back = Conv.col2im(Tensor.constant(c), win, g[0], g[1]);
      double lhs = cols.value().mul(c).sumNumber().doubleValue();
      double rhs = back.value().mul(x).sumNumber().doubleValue();
      assertEquals(lhs, rhs, 1e-10, "geometry " + java.util.Arrays.toString(g));
    }
  }

  @Test
  void when_conv2d_gradients_at_orders_1_and_2_expect_finite_differences() {
    for (int[] g : GEOMETRIES) {
      String tag = java.util.Arrays.toString(g);
      check2("conv shared " + tag,
          v -> Conv.conv2d(v.get(0), v.get(1), v.get(2), g[3], g[4]).tanh(), u(1, 1, 2, g[0], g[1]),
          u(2, 1, g[2], g[2]), u(2));
      if (g != GEOMETRIES[1] && g != GEOMETRIES[2]) {
        continue; // per-task filters differ only in the product: stride 2 and the large kernel suffice
      }
      check2("conv per task " + tag,
          v -> Conv.conv2d(v.get(0), v.get(1), v.get(2), g[3], g[4]).tanh(), u(2, 1, 1, g[0], g[1]),
          u(2, 2, 1, g[2], g[2]), u(2, 2));
    }
  }

  @Test
  void when_kernel_is_larger_than_the_padded_input_expect_an_error_naming_the_sizes() {
    Tensor x = Tensor.constant(u(1, 1, 1, 2, 2));
    Tensor w = Tensor.constant(u(1, 1, 5, 5));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, w, null, 1, 1));
    assertEquals("kernel 5 is larger than the input of size 2 with padding 1 (4)", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Conv.conv2d(x, Tensor.constant(u(1, 2, 3, 3)), null, 1, 1));
    assertThrows(IllegalArgumentException.class, () -> new Conv.Window(3, 0, 0));
  }

  @Test
  void when_filters_are_stacked_per_task_expect_each_task_convolved_with_its_own() {
    INDArray x = u(3, 2, 2, 5, 5);
    INDArray w = u(3, 4, 2, 3, 3);
    Tensor all = Conv.conv2d(Tensor.constant(x), Tensor.constant(w), null, 1, 1);
    for (int t = 0; t < 3; t++) {
      INDArray xt = x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(t, t + 1)).dup();
      INDArray wt = w.slice(t).dup();
      Tensor one = Conv.conv2d(Tensor.constant(xt), Tensor.constant(wt), null, 1, 1);
      assertEquals(0.0, all.value().slice(t).sub(one.value().slice(0)).norm2Number().doubleValue(), 1e-12);
    }
  }

  @Test
  void when_max_pooling_expect_window_maxima_with_odd_edges_dropped() {
    INDArray x = u(2, 1, 2, 5, 7);
    INDArray y = Conv.maxPool2x2(Tensor.constant(x)).value();
    assertArrayEquals(new long[] {2, 1, 2, 2, 3}, y.shape());
    for (int t = 0; t < 2; t++) {
      for (int b = 0; b < 2; b++) {
        for (int i = 0; i < 2; i++) {
          for (int j = 0; j < 3; j++) {
            double m = Double.NEGATIVE_INFINITY;
            for (int p = 0; p < 2; p++) {
              for (int q = 0; q < 2; q++) {
                m = Math.max(m, x.getDouble(t, 0, b, 2 * i + p, 2 * j + q));
              }
            }
            assertEquals(m, y.getDouble(t, 0, b, i, j), 0.0);
          }
        }
      }
    }
  }

  @Test
  void when_a_window_has_equal_maxima_expect_the_max_once_and_the_gradient_to_one_of_them() {
    // A blank image region: every activation equal.
    Tensor x = Tensor.variable(Nd4j.valueArrayOf(new long[] {1, 1, 1, 2, 2}, 0.5, DataType.DOUBLE));
    Tensor y = Conv.maxPool2x2(x);
    assertEquals(0.5, y.item(), 0.0);
    double[] g = Grad.grad(y.sum(), List.of(x), false).get(0).toDoubles();
    assertArrayEquals(new double[] {1, 0, 0, 0}, g, 0.0);
  }

  @Test
  void when_max_pool_gradients_at_orders_1_and_2_expect_finite_differences() {
    check2("pool even", v -> Conv.maxPool2x2(v.get(0).tanh()).square(), u(2, 1, 2, 4, 4));
    check2("pool odd", v -> Conv.maxPool2x2(v.get(0)).mul(Conv.maxPool2x2(v.get(0))), u(1, 2, 1, 5, 3));
  }

  @Test
  void when_batch_norm_in_training_mode_expect_each_task_and_channel_standardised_by_its_own_batch() {
    INDArray x = uniform(rng, 0, 5, 3, 2, 4, 3, 3);
    // Shift task 1 far away: with per-task statistics no other task's output changes.
    x.slice(1).addi(100);
    Tensor one = Tensor.constant(Nd4j.ones(DataType.DOUBLE, 2));
    Tensor zero = Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 2));
    INDArray y = Conv.batchNorm(Tensor.constant(x), one, zero, 1e-5).value();
    for (int t = 0; t < 3; t++) {
      for (int c = 0; c < 2; c++) {
        double s = 0;
        double ss = 0;
        int n = 0;
        for (int b = 0; b < 4; b++) {
          for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
              double v = y.getDouble(t, c, b, i, j);
              s += v;
              ss += v * v;
              n++;
            }
          }
        }
        assertEquals(0.0, s / n, 1e-10);
        assertEquals(1.0, ss / n, 1e-3);
      }
    }
  }

  @Test
  void when_batch_norm_gradients_at_orders_1_and_2_expect_finite_differences() {
    check2("batchnorm shared", v -> Conv.batchNorm(v.get(0), v.get(1), v.get(2), 1e-5).tanh(), u(2, 2, 3, 2, 2),
        uniform(rng, 0.5, 1.5, 2), u(2));
    check2("batchnorm per task", v -> Conv.batchNorm(v.get(0), v.get(1), v.get(2), 1e-5).tanh(),
        u(2, 2, 2, 3, 1), uniform(rng, 0.5, 1.5, 2, 2), u(2, 2));
  }

  @Test
  void when_a_whole_conv_block_is_differentiated_twice_expect_finite_differences() {
    // conv -> batch norm -> ReLU -> max-pool, as one block of the MAML paper's network.
    Function<List<Tensor>, Tensor> block = v -> Conv.maxPool2x2(
        Conv.batchNorm(Conv.conv2d(v.get(0), v.get(1), v.get(2), 1, 1), v.get(3), v.get(4), 1e-5).relu());
    check2("block", block, u(1, 1, 2, 4, 5), u(2, 1, 3, 3), u(2), uniform(rng, 0.5, 1.5, 2), u(2));
    // Two input channels, so the patch rows mix channels.
    check2("two channels", v -> Conv.conv2d(v.get(0), v.get(1), null, 2, 1).tanh(), u(1, 2, 1, 3, 4), u(2, 2, 3, 3));
  }

  @Test
  void when_float32_expect_the_float64_values_and_gradients_also_for_a_view_at_an_offset() {
    // Training runs the float32 kernels (im2col streamed by groups, col2im, gather, scatter, the
    // max indices); the float64 ones are what the finite-difference checks above pin down.
    for (int[] g : GEOMETRIES) {
      INDArray big = u(3, 3, 2, g[0], g[1]);
      INDArray w = u(4, 3, g[2], g[2]);
      INDArray bias = u(4);
      long oh = new Conv.Window(g[2], g[3], g[4]).outSize(g[0]);
      long ow = new Conv.Window(g[2], g[3], g[4]).outSize(g[1]);
      boolean pool = oh >= 2 && ow >= 2;
      INDArray r = pool ? u(2, 4, 2, oh / 2, ow / 2) : u(2, 4, 2, oh, ow);
      INDArray x = big.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3));
      List<double[]> want = convValueAndGradients(x.dup(), w, bias, r, g, pool);
      List<double[]> got = convValueAndGradients(big.castTo(DataType.FLOAT).get(
          org.nd4j.linalg.indexing.NDArrayIndex.interval(1, 3)), w.castTo(DataType.FLOAT), bias.castTo(DataType.FLOAT),
          r.castTo(DataType.FLOAT), g, pool);
      for (int k = 0; k < want.size(); k++) {
        double scale = 1;
        for (double v : want.get(k)) {
          scale = Math.max(scale, Math.abs(v));
        }
        assertArrayEquals(want.get(k), got.get(k), 1e-4 * scale, java.util.Arrays.toString(g) + " output " + k);
      }
    }
  }

  /** The loss sum(r * tanh(pool?(conv2d(x)))) and its gradients in x, w and bias, as doubles. */
  private static List<double[]> convValueAndGradients(INDArray x, INDArray w, INDArray bias, INDArray r, int[] g,
      boolean pool) {
    Tensor tx = Tensor.variable(x);
    Tensor tw = Tensor.variable(w);
    Tensor tb = Tensor.variable(bias);
    Tensor y = Conv.conv2d(tx, tw, tb, g[3], g[4]);
    if (pool) {
      y = Conv.maxPool2x2(y);
    }
    Tensor loss = y.tanh().mul(Tensor.constant(r)).sum();
    List<Tensor> grads = Grad.grad(loss, List.of(tx, tw, tb), false);
    return List.of(y.toDoubles(), grads.get(0).toDoubles(), grads.get(1).toDoubles(), grads.get(2).toDoubles());
  }

  @Test
  void when_a_tensor_is_permuted_expect_its_axes_reordered_and_derivatives_at_orders_1_and_2() {
    INDArray x = u(2, 3, 4);
    INDArray y = Tensor.constant(x).permute(2, 0, 1).value();
    assertArrayEquals(new long[] {4, 2, 3}, y.shape());
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) {
          assertEquals(x.getDouble(i, j, k), y.getDouble(k, i, j), 0.0);
        }
      }
    }
    INDArray weights = u(4, 2, 3);
    check2("permute", v -> v.get(0).permute(2, 0, 1).tanh().mul(Tensor.constant(weights)), u(2, 3, 4));
    assertThrows(IllegalArgumentException.class, () -> Tensor.constant(x).permute(0, 0, 1));
    assertThrows(IllegalArgumentException.class, () -> Tensor.constant(x).permute(1, 0));
    assertThrows(IllegalArgumentException.class, () -> Tensor.constant(x).permute());
  }

  @Test
  void when_gather_and_scatter_expect_adjoints_and_their_backward_rules() {
    int[] idx = {4, 0, 5, 5, 2};
    check2("gather", v -> Conv.gather(v.get(0), idx, new long[] {5}).tanh(), u(2, 3));
    check2("scatter", v -> Conv.scatter(v.get(0), idx, new long[] {2, 3}).tanh(), u(5));
    INDArray x = u(2, 3);
    INDArray g = u(5);
    double lhs = Conv.gather(Tensor.constant(x), idx, new long[] {5}).value().mul(g).sumNumber().doubleValue();
    double rhs = Conv.scatter(Tensor.constant(g), idx, new long[] {2, 3}).value().mul(x).sumNumber().doubleValue();
    assertEquals(lhs, rhs, 1e-12);
  }
}
