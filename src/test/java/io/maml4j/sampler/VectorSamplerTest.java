package io.maml4j.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class VectorSamplerTest {
  private static final int H = 4;

  /**
   * Observation (c + step, x): c is the task's offset, x starts from the reset seed and adds
   * the first coordinate of each action (of two); the reward is x before the step. An episode lasts 1 + floor(6 x0) steps, then
   * task "terminal" ends in a terminal state and task "timeout" is cut by its own time limit
   * (both are also cut at the horizon H = 4).
   */
  static final class Probe implements TaskDistribution {
    @Override
    public String name() {
      return "probe";
    }

    @Override
    public Task sample(SplittableRandom rng) {
      throw new UnsupportedOperationException();
    }

    static Task task(double offset, boolean timeout) {
      return new Task(Map.of("c", offset, "timeout", timeout));
    }

    static int length(double x0) {
      return 1 + (int) Math.floor(6 * x0);
    }

    @Override
    public Environment make(Task task) {
      double c = task.number("c");
      boolean timeout = (Boolean) task.params().get("timeout");
      return new Environment() {
        double step;
        double x;
        int limit;

        @Override
        public Space observationSpace() {
          return Probe.this.observationSpace();
        }

        @Override
        public Space actionSpace() {
          return Probe.this.actionSpace();
        }

        @Override
        public double[] reset(long seed) {
          step = 0;
          x = Math.floorMod(seed, 1000) / 1000.0;
          limit = length(x);
          return new double[] {c, x};
        }

        @Override
        public StepResult step(double[] action) {
          double reward = x;
          step++;
          x += action[0];
          boolean end = step >= limit;
          return new StepResult(new double[] {c + step, x}, reward, end && !timeout, end && timeout);
        }
      };
    }

    @Override
    public Space observationSpace() {
      return Box.of(2, -100, 100);
    }

    @Override
    public Space actionSpace() {
      return Box.of(2, -100, 100);
    }

    @Override
    public int horizon() {
      return H;
    }
  }

  private final Policy policy = Policies.create(new PolicySpec("gaussian-mlp", new int[] {4}, "tanh", 1.0, 1e-6),
      Box.of(2, -100, 100), Box.of(2, -100, 100));

  private double[] mode(Params params, double[] obs) {
    return policy.forward(params, Tensor.of(obs, DataType.DOUBLE, 1, 1, 2)).mode();
  }

  @Test
  void when_two_tasks_differ_expect_every_episode_recorded_at_its_own_offsets() {
    Params params = policy.init(new SplittableRandom(1), DataType.DOUBLE);
    List<Task> tasks = List.of(Probe.task(0, false), Probe.task(10, true));
    int k = 4;
    Episodes ep = new VectorSampler(new Probe(), true).sample(policy, params, tasks, k, new SplittableRandom(8));
    assertEquals(2, ep.numTasks());
    assertEquals(k, ep.perTask());
    assertEquals(H, ep.horizon());
    assertEquals(2, ep.obsDim());
    assertEquals(2, ep.actDim());
    double[] obs = ep.observations();
    double[] act = ep.actions();
    double[] rew = ep.rewards();
    Set<Integer> lengths = new HashSet<>();
    Set<Boolean> truncations = new HashSet<>();
    for (int e = 0; e < 2 * k; e++) {
      int task = e / k;
      double c = task == 0 ? 0 : 10;
      double x = obs[(e * H) * 2 + 1];
      int len = Math.min(H, Probe.length(x));
      assertEquals(len, ep.lengths()[e], "length of episode " + e);
      assertEquals(task == 1 && len < H, ep.truncated()[e], "truncation of episode " + e);
      lengths.add(len);
      truncations.add(ep.truncated()[e]);
      // Replay the episode: the policy's action at each recorded observation, then the dynamics.
      for (int t = 0; t < H; t++) {
        int at = e * H + t;
        if (t >= len) {
          assertArrayEquals(new double[] {0, 0}, new double[] {obs[at * 2], obs[at * 2 + 1]}, 0, "padding " + at);
          assertArrayEquals(new double[2], new double[] {act[at * 2], act[at * 2 + 1]}, 0);
          assertEquals(0.0, rew[at], 0);
          continue;
        }
        assertArrayEquals(new double[] {c + t, x}, new double[] {obs[at * 2], obs[at * 2 + 1]}, 1e-12,
            "observation " + t + " of episode " + e);
        double[] a = mode(params, new double[] {c + t, x});
        assertArrayEquals(a, new double[] {act[at * 2], act[at * 2 + 1]}, 1e-9, "action " + t + " of episode " + e);
        assertEquals(x, rew[at], 1e-12, "reward " + t + " of episode " + e);
        x += a[0];
      }
      assertArrayEquals(new double[] {c + len, x}, new double[] {ep.finalObservations()[e * 2],
          ep.finalObservations()[e * 2 + 1]}, 1e-9, "final observation of episode " + e);
    }
    // The fixture must exercise what it claims: several lengths, both kinds of end.
    assertTrue(lengths.size() >= 3, "lengths " + lengths);
    assertEquals(Set.of(true, false), truncations);
  }

  @Test
  void when_stacked_per_task_params_expect_each_task_to_act_with_its_own() {
    Params a = policy.init(new SplittableRandom(1), DataType.DOUBLE);
    Params b = policy.init(new SplittableRandom(2), DataType.DOUBLE);
    Params stacked = a.zip(b, (x, y) -> Tensor.constant(org.nd4j.linalg.factory.Nd4j.stack(0, x.value(), y.value())));
    List<Task> tasks = List.of(Probe.task(0, false), Probe.task(0, false));
    Episodes ep = new VectorSampler(new Probe(), true).sample(policy, stacked, tasks, 2, new SplittableRandom(3));
    for (int e = 0; e < 4; e++) {
      double[] o = {ep.observations()[e * H * 2], ep.observations()[e * H * 2 + 1]};
      assertArrayEquals(mode(e < 2 ? a : b, o), new double[] {ep.actions()[e * H * 2], ep.actions()[e * H * 2 + 1]},
          1e-9, "first action of episode " + e);
    }
  }

  @Test
  void when_sampling_expect_seeded_reproducible_episodes_and_positive_count() {
    Params params = policy.init(new SplittableRandom(1), DataType.DOUBLE);
    List<Task> tasks = List.of(Probe.task(0, false));
    VectorSampler s = new VectorSampler(new Probe());
    Episodes e1 = s.sample(policy, params, tasks, 3, new SplittableRandom(4));
    Episodes e2 = s.sample(policy, params, tasks, 3, new SplittableRandom(4));
    assertArrayEquals(e1.actions(), e2.actions(), 0);
    assertArrayEquals(e1.observations(), e2.observations(), 0);
    IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
        () -> s.sample(policy, params, tasks, 0, new SplittableRandom(4)));
    assertEquals("episodes per task must be greater than 0, got 0", zero.getMessage());
  }
}
