package io.maml4j.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

class CategoricalMlpPolicyTest {
  private static Tensor logp(double[][] probsPerTask, int rowsPerTask) {
    int n = probsPerTask[0].length;
    double[] lp = new double[probsPerTask.length * rowsPerTask * n];
    for (int t = 0; t < probsPerTask.length; t++) {
      for (int r = 0; r < rowsPerTask; r++) {
        for (int k = 0; k < n; k++) {
          lp[(t * rowsPerTask + r) * n + k] = Math.log(probsPerTask[t][k]);
        }
      }
    }
    return Tensor.of(lp, DataType.DOUBLE, probsPerTask.length, rowsPerTask, n);
  }

  @Test
  void when_sampled_with_a_fixed_seed_expect_frequencies_of_each_rows_probabilities() {
    // Two tasks with different distributions: frequencies must follow each row's own.
    double[][] p = {{0.2, 0.5, 0.3}, {0.6, 0.1, 0.3}};
    int rows = 20_000;
    double[] a = new CategoricalMlpPolicy.Categorical(logp(p, rows)).sample(new SplittableRandom(7));
    assertEquals(2 * rows, a.length);
    for (int t = 0; t < 2; t++) {
      double[] freq = new double[3];
      for (int r = 0; r < rows; r++) {
        freq[(int) a[t * rows + r]] += 1.0 / rows;
      }
      // Standard error at most 0.0036: 0.015 is four of them.
      assertArrayEquals(p[t], freq, 0.015, "task " + t);
    }
  }

  @Test
  void when_probabilities_sum_to_just_under_one_expect_the_last_action_for_a_high_draw() {
    // exp(log p) summed may fall short of 1 by rounding; a draw beyond it takes the last action.
    Tensor lp = Tensor.of(new double[] {Math.log(0.5), Math.log(0.25), Math.log(1e-12)}, DataType.DOUBLE, 1, 1, 3);
    double[] counts = new double[3];
    SplittableRandom rng = new SplittableRandom(1);
    CategoricalMlpPolicy.Categorical c = new CategoricalMlpPolicy.Categorical(lp);
    for (int i = 0; i < 2000; i++) {
      counts[(int) c.sample(rng)[0]]++;
    }
    // Mass 0.25 is missing: it goes to the last action.
    assertEquals(0.5, counts[0] / 2000, 0.05);
    assertEquals(0.25, counts[1] / 2000, 0.05);
    assertEquals(0.25, counts[2] / 2000, 0.05);
  }

  @Test
  void when_mode_expect_the_most_likely_action_of_each_row() {
    double[] lp = {
        Math.log(0.7), Math.log(0.2), Math.log(0.1),
        Math.log(0.1), Math.log(0.3), Math.log(0.6),
        Math.log(0.2), Math.log(0.3), Math.log(0.5),
        Math.log(0.4), Math.log(0.4), Math.log(0.2)};
    double[] m = new CategoricalMlpPolicy.Categorical(Tensor.of(lp, DataType.DOUBLE, 2, 2, 3)).mode();
    // A tie goes to the first; row 2 rises twice, so each comparison must be against its own row.
    assertArrayEquals(new double[] {0, 2, 2, 0}, m, 0);
  }

  @Test
  void when_log_prob_and_kl_expect_the_closed_forms() {
    double[][] p = {{0.2, 0.5, 0.3}};
    double[][] q = {{0.4, 0.4, 0.2}};
    CategoricalMlpPolicy.Categorical cp = new CategoricalMlpPolicy.Categorical(logp(p, 2));
    CategoricalMlpPolicy.Categorical cq = new CategoricalMlpPolicy.Categorical(logp(q, 2));
    double[] lp = cp.logProb(Tensor.of(new double[] {1, 2}, DataType.DOUBLE, 1, 2, 1)).toDoubles();
    assertArrayEquals(new double[] {Math.log(0.5), Math.log(0.3)}, lp, 1e-12);
    double kl = 0.2 * Math.log(0.2 / 0.4) + 0.5 * Math.log(0.5 / 0.4) + 0.3 * Math.log(0.3 / 0.2);
    assertArrayEquals(new double[] {kl, kl}, cp.kl(cq).toDoubles(), 1e-12);
    assertArrayEquals(lp, cp.detach().logProb(Tensor.of(new double[] {1, 2}, DataType.DOUBLE, 1, 2, 1)).toDoubles(), 0);
  }

  @Test
  void when_forward_expect_log_softmax_of_the_logits() {
    // No hidden layer: logits = obs W + b; with W = 0 they are b, shifted by a large constant.
    PolicySpec spec = new PolicySpec("categorical-mlp", new int[0], "tanh", 1.0, 1e-6);
    Policy pol = Policies.create(spec, Box.of(2, -1, 1), new Discrete(3));
    Params params = Params.of(List.of("layer0.weight", "layer0.bias"), List.of(
        Tensor.constant(Nd4j.zeros(DataType.DOUBLE, 2, 3)),
        Tensor.constant(Nd4j.create(new double[] {1000, 1001, 1003}, new long[] {1, 3}, DataType.DOUBLE))));
    Tensor obs = Tensor.of(new double[] {0.5, -0.5}, DataType.DOUBLE, 1, 1, 2);
    double z = Math.log(1 + Math.exp(1) + Math.exp(3));
    double[] lp = new double[3];
    for (int k = 0; k < 3; k++) {
      lp[k] = pol.forward(params, obs).logProb(Tensor.of(new double[] {k}, DataType.DOUBLE, 1, 1, 1)).item();
    }
    assertArrayEquals(new double[] {-z, 1 - z, 3 - z}, lp, 1e-9);
    assertEquals(3, pol.init(new SplittableRandom(1), DataType.DOUBLE).get("layer0.bias").value().length());
  }
}
