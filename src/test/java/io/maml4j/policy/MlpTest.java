package io.maml4j.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Tensor;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class MlpTest {
  private static Tensor t(double[] v, long... shape) {
    return Tensor.constant(Nd4j.create(v, shape, DataType.DOUBLE));
  }

  /** 2 -> 2 -> 2, with outputs well outside [-1, 1] so a squashed output layer would show. */
  private static Params params() {
    return Params.of(List.of("layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias"), List.of(
        t(new double[] {1, -2, 0.5, 1}, 2, 2), t(new double[] {0.1, -0.3}, 1, 2),
        t(new double[] {3, 1, -2, 4}, 2, 2), t(new double[] {0.5, -1}, 1, 2)));
  }

  private static double[] byHand(double x0, double x1, boolean tanh) {
    double h0 = x0 * 1 + x1 * 0.5 + 0.1;
    double h1 = x0 * -2 + x1 * 1 - 0.3;
    h0 = tanh ? Math.tanh(h0) : Math.max(0, h0);
    h1 = tanh ? Math.tanh(h1) : Math.max(0, h1);
    return new double[] {h0 * 3 + h1 * -2 + 0.5, h0 * 1 + h1 * 4 - 1};
  }

  @Test
  void when_applied_expect_hidden_nonlinearity_and_a_linear_output_layer() {
    Tensor obs = Tensor.of(new double[] {0.8, 0.4, -0.6, 1.2}, DataType.DOUBLE, 1, 2, 2);
    for (String nl : new String[] {"tanh", "relu"}) {
      double[] out = new Mlp(2, new int[] {2}, 2, nl).apply(params(), obs).toDoubles();
      double[] a = byHand(0.8, 0.4, nl.equals("tanh"));
      double[] b = byHand(-0.6, 1.2, nl.equals("tanh"));
      assertArrayEquals(new double[] {a[0], a[1], b[0], b[1]}, out, 1e-12, nl);
      assertTrue(Math.abs(out[0]) > 1 || Math.abs(out[1]) > 1, "outputs too small to tell: " + nl);
    }
  }

  @Test
  void when_initialised_expect_xavier_uniform_weights_within_bound_and_zero_biases() {
    Mlp mlp = new Mlp(3, new int[] {5, 4}, 2, "tanh");
    assertEquals(3, mlp.layers());
    assertEquals(List.of("layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias", "layer2.weight",
        "layer2.bias"), mlp.names());
    Map<String, Tensor> m = mlp.init(new SplittableRandom(4), DataType.DOUBLE);
    int[][] shapes = {{3, 5}, {5, 4}, {4, 2}};
    for (int l = 0; l < 3; l++) {
      Tensor w = m.get(Mlp.weight(l));
      assertArrayEquals(new long[] {shapes[l][0], shapes[l][1]}, w.shape());
      double bound = Math.sqrt(6.0 / (shapes[l][0] + shapes[l][1]));
      double maxAbs = 0;
      double sum = 0;
      for (double x : w.toDoubles()) {
        maxAbs = Math.max(maxAbs, Math.abs(x));
        sum += x;
      }
      assertTrue(maxAbs <= bound, "layer " + l + " weight beyond the Xavier bound");
      // Uniform on [-bound, bound] fills it: the largest of 8+ draws is well past half of it.
      assertTrue(maxAbs > 0.5 * bound, "layer " + l + " weights " + maxAbs + " against bound " + bound);
      assertTrue(Math.abs(sum / w.value().length()) < 0.5 * bound, "layer " + l + " weights not centred");
      assertArrayEquals(new double[shapes[l][1]], m.get(Mlp.bias(l)).toDoubles(), 0);
      assertArrayEquals(new long[] {1, shapes[l][1]}, m.get(Mlp.bias(l)).shape());
      assertTrue(w.requiresGrad());
    }
  }
}
