package io.maml4j.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.env.Environment;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Random tabular-MDP tasks, dynamics and rewards. */
class TabularMdpTest {
  private final TabularMdp mdp = TabularMdp.standard();

  @Test
  void when_sampling_tasks_expect_dirichlet_rows_and_normal_mean_rewards() {
    double rewardSum = 0;
    double rewardSq = 0;
    double firstEntrySum = 0;
    int rows = 0;
    int n = 0;
    for (Task t : mdp.sample(200, new SplittableRandom(2))) {
      double[] p = t.vector(TabularMdp.TRANSITIONS);
      assertEquals(10 * 5 * 10, p.length);
      for (int row = 0; row < 50; row++) {
        double s = 0;
        for (int j = 0; j < 10; j++) {
          assertTrue(p[row * 10 + j] >= 0);
          s += p[row * 10 + j];
        }
        assertEquals(1.0, s, 1e-12);
        firstEntrySum += p[row * 10];
        rows++;
      }
      for (double m : t.vector(TabularMdp.REWARD_MEANS)) {
        rewardSum += m;
        rewardSq += m * m;
        n++;
      }
    }
    // Dirichlet(1,...,1) over 10 states: each entry has mean 1/10 and sd 0.09.
    assertEquals(0.1, firstEntrySum / rows, 0.01);
    double mean = rewardSum / n;
    assertEquals(1.0, mean, 0.05);
    assertEquals(1.0, rewardSq / n - mean * mean, 0.1);
  }

  @Test
  void when_stepping_expect_transitions_and_rewards_of_the_task() {
    // Two states, two actions: from state 0, action 1 goes to state 1 with probability 0.25.
    double[] p = {
      1.0, 0.0, 0.75, 0.25,
      0.5, 0.5, 0.0, 1.0};
    double[] m = {0.0, 2.0, -1.0, 3.0};
    TabularMdp small = new TabularMdp(2, 2, 1);
    Task task = new Task(Map.of(TabularMdp.TRANSITIONS, p, TabularMdp.REWARD_MEANS, m));
    int toOne = 0;
    double rewards = 0;
    double rewardsSq = 0;
    int n = 20000;
    try (Environment env = small.make(task)) {
      for (int i = 0; i < n; i++) {
        assertArrayEquals(new double[] {1.0, 0.0}, env.reset(i), "episodes start in state 0");
        StepResult r = env.step(new double[] {1});
        assertTrue(r.terminated());
        toOne += r.observation()[1] == 1.0 ? 1 : 0;
        assertEquals(1.0, r.observation()[0] + r.observation()[1]);
        rewards += r.reward();
        rewardsSq += r.reward() * r.reward();
      }
    }
    assertEquals(0.25, (double) toOne / n, 5 * Math.sqrt(0.25 * 0.75 / n));
    double mean = rewards / n;
    assertEquals(2.0, mean, 5 / Math.sqrt(n));
    assertEquals(1.0, rewardsSq / n - mean * mean, 0.05, "rewards have unit variance");
  }

  @Test
  void when_an_episode_runs_expect_h_steps_then_a_terminal_state() {
    Task t = mdp.sample(new SplittableRandom(4));
    try (Environment env = mdp.make(t)) {
      double[] o = env.reset(5);
      assertEquals(10, o.length);
      assertEquals(1.0, o[0]);
      for (int h = 1; h <= 10; h++) {
        StepResult r = env.step(new double[] {h % 5});
        double sum = 0;
        for (double x : r.observation()) {
          sum += x;
        }
        assertEquals(1.0, sum, "one-hot observation");
        if (h < 10) {
          assertFalse(r.done());
        } else {
          assertTrue(r.terminated());
        }
      }
      assertThrows(IllegalStateException.class, () -> env.step(new double[] {0}));
      env.reset(6);
      assertThrows(IllegalArgumentException.class, () -> env.step(new double[] {5}));
    }
  }

  @Test
  void when_a_task_does_not_fit_expect_a_clear_error() {
    Task t = new TabularMdp(2, 2, 3).sample(new SplittableRandom(1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mdp.make(t));
    assertTrue(e.getMessage().contains("expected 500"), e.getMessage());
  }
}
