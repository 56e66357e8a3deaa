package io.maml4j.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.env.Environment;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.meta.Batch;
import io.maml4j.meta.Losses;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.ExampleSampler;
import io.maml4j.sampler.Examples;
import io.maml4j.sampler.VectorSampler;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The sinusoid task distribution, its examples and its loss. */
class SinusoidTest {
  private final Sinusoid sinusoid = Sinusoid.standard();

  @Test
  void when_sampling_tasks_expect_the_papers_amplitude_and_phase_ranges() {
    SplittableRandom rng = new SplittableRandom(1);
    double minA = Double.MAX_VALUE;
    double maxA = 0;
    double maxP = 0;
    for (Task t : sinusoid.sample(2000, rng)) {
      double a = t.number(Sinusoid.AMPLITUDE);
      double p = t.number(Sinusoid.PHASE);
      assertTrue(a >= 0.1 && a <= 5.0, "amplitude " + a);
      assertTrue(p >= 0 && p <= Math.PI, "phase " + p);
      minA = Math.min(minA, a);
      maxA = Math.max(maxA, a);
      maxP = Math.max(maxP, p);
    }
    assertTrue(minA < 0.2 && maxA > 4.9 && maxP > 3.0, "ranges not covered: " + minA + " " + maxA + " " + maxP);
    assertEquals(1, sinusoid.horizon());
  }

  @Test
  void when_sampling_examples_expect_inputs_in_range_and_targets_on_the_curve() {
    List<Task> tasks = List.of(Sinusoid.task(2.0, 0.5), Sinusoid.task(0.3, 3.0));
    Examples ex = new ExampleSampler(sinusoid).sample(tasks, 50, new SplittableRandom(3));
    assertEquals(2, ex.numTasks());
    double[] x = ex.inputs();
    double[] y = ex.targets();
    assertEquals(100, x.length);
    double lo = 0;
    double hi = 0;
    for (int i = 0; i < 100; i++) {
      Task t = tasks.get(i / 50);
      assertTrue(x[i] >= -5 && x[i] <= 5, "x " + x[i]);
      assertEquals(t.number(Sinusoid.AMPLITUDE) * Math.sin(x[i] + t.number(Sinusoid.PHASE)), y[i], 1e-12);
      lo = Math.min(lo, x[i]);
      hi = Math.max(hi, x[i]);
    }
    assertTrue(lo < -4 && hi > 4, "inputs do not spread over [-5, 5]: " + lo + " .. " + hi);
  }

  @Test
  void when_stepping_an_episode_expect_one_step_with_minus_squared_error() {
    Task t = Sinusoid.task(1.5, 1.0);
    try (Environment env = sinusoid.make(t)) {
      double x = env.reset(42)[0];
      assertEquals(x, env.reset(42)[0], "reset must be a function of its seed");
      StepResult r = env.step(new double[] {0.25});
      double y = 1.5 * Math.sin(x + 1.0);
      assertEquals(-(0.25 - y) * (0.25 - y), r.reward(), 1e-12);
      assertTrue(r.terminated());
      assertThrows(IllegalStateException.class, () -> env.step(new double[] {0.0}));
    }
    assertArrayEquals(new double[] {1.5 * Math.sin(0.3 + 1.0)}, sinusoid.target(t, new double[] {0.3}), 1e-12);
  }

  @Test
  void when_computing_mse_expect_the_mean_over_examples_summed_over_tasks() {
    PolicySpec spec = new PolicySpec("deterministic-mlp", new int[] {40, 40}, "relu", 1.0, 1e-6);
    Policy model = Policies.create(spec, sinusoid.observationSpace(), sinusoid.actionSpace());
    Params theta = model.init(new SplittableRandom(5), DataType.DOUBLE);
    List<Task> tasks = sinusoid.sample(3, new SplittableRandom(6));
    Examples ex = new ExampleSampler(sinusoid).sample(tasks, 10, new SplittableRandom(7));
    Batch b = Batch.supervised(ex, DataType.DOUBLE);
    double[] pred = model.forward(theta, b.observations()).mode();
    double[] y = ex.targets();
    double expected = 0;
    for (int i = 0; i < y.length; i++) {
      expected += (pred[i] - y[i]) * (pred[i] - y[i]) / 10.0;
    }
    assertEquals(expected, Losses.mse(model, theta, b).item(), 1e-9 * expected);
    // Per-task parameters give the same loss as shared ones.
    Params stacked = theta.repeatPerTask(3);
    assertEquals(expected, Losses.mse(model, stacked, b).item(), 1e-9 * expected);
  }

  @Test
  void when_the_rl_sampler_runs_the_model_expect_mean_return_to_be_minus_the_mse() {
    PolicySpec spec = new PolicySpec("deterministic-mlp", new int[] {8}, "relu", 1.0, 1e-6);
    Policy model = Policies.create(spec, sinusoid.observationSpace(), sinusoid.actionSpace());
    Params theta = model.init(new SplittableRandom(8), DataType.DOUBLE);
    List<Task> tasks = sinusoid.sample(4, new SplittableRandom(9));
    Episodes ep = new VectorSampler(sinusoid).sample(model, theta, tasks, 6, new SplittableRandom(10));
    assertEquals(1, ep.horizon());
    double[] x = ep.observations();
    double[] y = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      y[i] = sinusoid.target(tasks.get(i / 6), new double[] {x[i]})[0];
    }
    Batch b = Batch.supervised(new Examples(tasks, 6, 1, 1, x, y), DataType.DOUBLE);
    double mse = Losses.mse(model, theta, b).item() / tasks.size();
    assertEquals(-mse, ep.meanReturn(), 1e-9 * mse);
  }

  @Test
  void when_ranges_are_inverted_expect_a_clear_error() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Sinusoid(5.0, 0.1, 0, Math.PI, -5, 5));
    assertTrue(e.getMessage().contains("amplitude"), e.getMessage());
  }
}
