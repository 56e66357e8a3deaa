package io.maml4j.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.MlpValues;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class GaussianMlpPolicyTest {
  private static Tensor perTask(double[][] rows, int rowsPerTask) {
    int d = rows[0].length;
    double[] v = new double[rows.length * rowsPerTask * d];
    for (int t = 0; t < rows.length; t++) {
      for (int r = 0; r < rowsPerTask; r++) {
        System.arraycopy(rows[t], 0, v, (t * rowsPerTask + r) * d, d);
      }
    }
    return Tensor.of(v, DataType.DOUBLE, rows.length, rowsPerTask, d);
  }

  /** Sample mean and standard deviation of each (task, dimension). */
  private static double[][] moments(double[] x, int tasks, int rows, int d) {
    double[][] out = new double[tasks * d][2];
    for (int t = 0; t < tasks; t++) {
      for (int j = 0; j < d; j++) {
        double s = 0;
        double sq = 0;
        for (int r = 0; r < rows; r++) {
          double v = x[(t * rows + r) * d + j];
          s += v;
          sq += v * v;
        }
        double m = s / rows;
        out[t * d + j] = new double[] {m, Math.sqrt(sq / rows - m * m)};
      }
    }
    return out;
  }

  @Test
  void when_log_std_is_adapted_per_task_expect_each_task_sampled_with_its_own() {
    // Two tasks that differ in mean and in both standard deviations.
    double[][] mean = {{1, -1}, {-3, 10}};
    double[][] std = {{0.1, 2}, {5, 0.5}};
    int rows = 4000;
    double[][] logStd = {{Math.log(std[0][0]), Math.log(std[0][1])}, {Math.log(std[1][0]), Math.log(std[1][1])}};
    var g = new GaussianMlpPolicy.Gaussian(perTask(mean, rows), perTask(logStd, 1));
    double[][] m = moments(g.sample(new SplittableRandom(5)), 2, rows, 2);
    for (int t = 0; t < 2; t++) {
      for (int j = 0; j < 2; j++) {
        double[] mj = m[t * 2 + j];
        // Standard errors: sigma / 63 for the mean, sigma / 89 for the std.
        assertEquals(mean[t][j], mj[0], 0.06 * std[t][j], "mean of task " + t + " dim " + j);
        assertEquals(std[t][j], mj[1], 0.06 * std[t][j], "std of task " + t + " dim " + j);
      }
    }
  }

  @Test
  void when_log_std_is_shared_expect_every_task_sampled_with_it() {
    double[][] mean = {{0, 0}, {4, 4}};
    var g = new GaussianMlpPolicy.Gaussian(perTask(mean, 4000),
        Tensor.of(new double[] {Math.log(3), Math.log(0.2)}, DataType.DOUBLE, 1, 2));
    double[][] m = moments(g.sample(new SplittableRandom(6)), 2, 4000, 2);
    for (int t = 0; t < 2; t++) {
      assertEquals(3, m[t * 2][1], 0.18);
      assertEquals(0.2, m[t * 2 + 1][1], 0.012);
      assertEquals(mean[t][0], m[t * 2][0], 0.18);
    }
    assertArrayEquals(perTask(mean, 4000).toDoubles(), g.mode(), 0);
  }

  @Test
  void when_log_prob_and_kl_expect_the_closed_forms() {
    double[][] mu = {{0.5, -1}};
    double[][] ls = {{Math.log(2), Math.log(0.5)}};
    var p = new GaussianMlpPolicy.Gaussian(perTask(mu, 1), perTask(ls, 1));
    double[] a = {1.5, 0};
    // Sum over dims of -(a - mu)^2 / (2 s^2) - log s - log sqrt(2 pi).
    double expected = -(1.0 / 8) - Math.log(2) - 0.5 * Math.log(2 * Math.PI)
        - (1 / 0.5) - Math.log(0.5) - 0.5 * Math.log(2 * Math.PI);
    assertEquals(expected, p.logProb(Tensor.of(a, DataType.DOUBLE, 1, 1, 2)).item(), 1e-12);
    var q = new GaussianMlpPolicy.Gaussian(perTask(new double[][] {{0, 0}}, 1),
        perTask(new double[][] {{0, Math.log(2)}}, 1));
    // Per dim: log(sq / sp) + (sp^2 + (mp - mq)^2) / (2 sq^2) - 1/2.
    double kl = Math.log(1 / 2.0) + (4 + 0.25) / 2 - 0.5 + Math.log(2 / 0.5) + (0.25 + 1) / 8 - 0.5;
    assertEquals(kl, p.kl(q).item(), 1e-12);
    assertEquals(kl, p.detach().kl(q.detach()).item(), 1e-12);
  }

  @Test
  void when_forward_expect_mlp_mean_and_log_std_floored_at_min_std() {
    PolicySpec spec = new PolicySpec("gaussian-mlp", new int[] {3}, "tanh", 0.5, 0.1);
    Policy pol = Policies.create(spec, Box.of(2, -1, 1), Box.of(2, -1, 1));
    Params theta = pol.init(new SplittableRandom(2), DataType.DOUBLE);
    assertArrayEquals(new double[] {Math.log(0.5), Math.log(0.5)}, theta.get(GaussianMlpPolicy.LOG_STD).toDoubles(),
        1e-12);
    assertArrayEquals(new long[] {1, 2}, theta.get(GaussianMlpPolicy.LOG_STD).shape());
    Params low = theta.zip(theta, (a, b) -> a).map(t -> t);
    java.util.Map<String, Tensor> m = new java.util.LinkedHashMap<>(low.tensors());
    m.put(GaussianMlpPolicy.LOG_STD, Tensor.of(new double[] {Math.log(0.01), Math.log(3)}, DataType.DOUBLE, 1, 2));
    Tensor obs = Tensor.of(new double[] {0.3, -0.7}, DataType.DOUBLE, 1, 1, 2);
    Distribution d = pol.forward(new Params(m), obs);
    // The floored std 0.1 in the first dimension: log-density of the mean is -log(0.1 * 3) - log(2 pi).
    double[] mode = d.mode();
    double lp = d.logProb(Tensor.of(mode, DataType.DOUBLE, 1, 1, 2)).item();
    assertEquals(-Math.log(0.1) - Math.log(3) - Math.log(2 * Math.PI), lp, 1e-9);
    assertTrue(Math.abs(mode[0]) + Math.abs(mode[1]) > 0);
  }

  /** Parameters with random weights and biases (nonzero, so the bias path is checked), per task when {@code tasks > 0}. */
  private static Params randomParams(Policy pol, int tasks, long seed, DataType type) {
    Params theta = pol.init(new SplittableRandom(seed), DataType.DOUBLE);
    SplittableRandom rng = new SplittableRandom(seed + 1);
    Params p = tasks > 0 ? theta.repeatPerTask(tasks) : theta;
    return p.map(t -> {
      double[] v = t.toDoubles();
      for (int i = 0; i < v.length; i++) {
        v[i] += 0.3 * rng.nextGaussian();
      }
      return Tensor.of(v, type, t.shape());
    });
  }

  private static double[] randomObs(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] o = new double[n];
    for (int i = 0; i < o.length; i++) {
      o[i] = 2 * rng.nextGaussian();
    }
    return o;
  }

  private static java.util.List<SplittableRandom> streams(int tasks, long seed) {
    java.util.List<SplittableRandom> s = new java.util.ArrayList<>();
    for (int t = 0; t < tasks; t++) {
      s.add(new SplittableRandom(seed + t));
    }
    return s;
  }

  @Test
  void when_acting_in_float32_expect_the_forward_paths_mode_and_draws_to_rounding() {
    int tasks = 3;
    int rows = 5;
    for (String nl : new String[] {"tanh", "relu"}) {
      PolicySpec spec = new PolicySpec("gaussian-mlp", new int[] {16, 8}, nl, 0.7, 0.05);
      Policy pol = Policies.create(spec, Box.of(4, -1, 1), Box.of(3, -1, 1));
      for (int perTask : new int[] {0, tasks}) {
        Params p = randomParams(pol, perTask, 11, DataType.FLOAT);
        double[] obs = randomObs(tasks * rows * 4, 12);
        Distribution ref = pol.forward(p, Tensor.of(obs, DataType.FLOAT, tasks, rows, 4));
        String what = nl + (perTask > 0 ? ", per-task parameters" : ", shared parameters");
        double[] want = ref.mode();
        long calls = MlpValues.calls();
        double[] got = pol.act(p, obs, tasks, rows, null, null);
        assertEquals(calls + 1, MlpValues.calls(), what + ": the values-only pass taken");
        assertEquals(tasks * rows * 3, got.length, what);
        double scale = 0;
        for (double w : want) {
          scale = Math.max(scale, Math.abs(w));
        }
        assertTrue(scale > 0.1, what + ": outputs large enough to compare, max " + scale);
        assertArrayEquals(want, got, 2e-6 * scale, what + ": mode");
        // The same streams give the same noise, row by row.
        assertArrayEquals(ref.sample(streams(tasks, 40)), pol.act(p, obs, tasks, rows, null, streams(tasks, 40)),
            2e-5 * scale, what + ": per-task draws");
        assertArrayEquals(ref.sample(new SplittableRandom(41)),
            pol.act(p, obs, tasks, rows, new SplittableRandom(41), null), 2e-5 * scale, what + ": one stream");
      }
    }
  }

  @Test
  void when_acting_expect_a_tasks_actions_independent_of_the_tasks_beside_it() {
    PolicySpec spec = PolicySpec.defaultGaussian();
    Policy pol = Policies.create(spec, Box.of(2, -1, 1), Box.of(2, -1, 1));
    Params p = randomParams(pol, 4, 3, DataType.FLOAT);
    double[] obs = randomObs(4 * 20 * 2, 4);
    double[] all = pol.act(p, obs, 4, 20, null, streams(4, 9));
    // Tasks 2 and 3 alone, with their own parameters and streams: bit for bit the same actions.
    Params last = p.map(t -> Tensor.constant(t.value().get(org.nd4j.linalg.indexing.NDArrayIndex.interval(2, 4))
        .dup()));
    double[] pair = pol.act(last, java.util.Arrays.copyOfRange(obs, 2 * 20 * 2, obs.length), 2, 20, null,
        java.util.List.of(new SplittableRandom(11), new SplittableRandom(12)));
    assertArrayEquals(java.util.Arrays.copyOfRange(all, 2 * 20 * 2, all.length), pair, 0.0);
  }

  @Test
  void when_acting_in_float64_expect_the_forward_path_exactly() {
    Policy pol = Policies.create(PolicySpec.defaultGaussian(), Box.of(2, -1, 1), Box.of(2, -1, 1));
    Params p = randomParams(pol, 2, 5, DataType.DOUBLE);
    double[] obs = randomObs(2 * 3 * 2, 6);
    Distribution ref = pol.forward(p, Tensor.of(obs, DataType.DOUBLE, 2, 3, 2));
    long calls = MlpValues.calls();
    assertArrayEquals(ref.sample(streams(2, 7)), pol.act(p, obs, 2, 3, null, streams(2, 7)), 0.0);
    assertEquals(calls, MlpValues.calls(), "float64 goes through forward");
  }

  @Test
  void when_forward_values_expect_forwards_mean_and_log_probabilities_over_several_row_blocks() {
    int tasks = 2;
    int rows = 300; // two blocks of 128 rows and a partial one
    for (String nl : new String[] {"tanh", "relu"}) {
      Policy pol = Policies.create(new PolicySpec("gaussian-mlp", new int[] {32, 16}, nl, 0.7, 0.05), Box.of(3, -1, 1),
          Box.of(2, -1, 1));
      for (int perTask : new int[] {0, tasks}) {
        String what = nl + (perTask > 0 ? ", per-task parameters" : ", shared parameters");
        Params p = randomParams(pol, perTask, 21, DataType.FLOAT);
        Tensor obs = Tensor.of(randomObs(tasks * rows * 3, 22), DataType.FLOAT, tasks, rows, 3);
        Tensor act = Tensor.of(randomObs(tasks * rows * 2, 23), DataType.FLOAT, tasks, rows, 2);
        Distribution ref = pol.forward(p, obs);
        long calls = MlpValues.calls();
        Distribution got = pol.forwardValues(p, obs);
        assertEquals(calls + 1, MlpValues.calls(), what + ": the values-only pass taken");
        double[] want = ref.mode();
        double scale = 0;
        for (double w : want) {
          scale = Math.max(scale, Math.abs(w));
        }
        assertArrayEquals(want, got.mode(), 2e-6 * scale, what + ": mean");
        double[] lpWant = ref.logProb(act).toDoubles();
        double[] lpGot = got.logProb(act).toDoubles();
        for (int i = 0; i < lpWant.length; i++) {
          assertEquals(lpWant[i], lpGot[i], 1e-4 * (1 + Math.abs(lpWant[i])), what + ": log-probability of row " + i);
        }
        assertArrayEquals(ref.kl(ref).toDoubles(), got.kl(ref).toDoubles(), 1e-5, what + ": KL to forward's");
      }
    }
  }
}
