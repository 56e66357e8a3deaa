package io.maml4j.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.env.Discrete;
import io.maml4j.env.Environment;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Bernoulli bandit dynamics and rewards. */
class BernoulliBanditTest {
  @Test
  void when_sampling_tasks_expect_k_uniform_arm_means() {
    BernoulliBandit bandit = new BernoulliBandit(10, 1);
    assertEquals(new Discrete(10), bandit.actionSpace());
    assertEquals("bandit-k10", bandit.name());
    double sum = 0;
    int n = 0;
    for (Task t : bandit.sample(500, new SplittableRandom(1))) {
      double[] p = t.vector(BernoulliBandit.MEANS);
      assertEquals(10, p.length);
      for (double x : p) {
        assertTrue(x >= 0 && x <= 1);
        sum += x;
        n++;
      }
    }
    // Mean of 5000 U[0,1] draws: standard error 0.004.
    assertEquals(0.5, sum / n, 0.02);
  }

  @Test
  void when_pulling_an_arm_expect_bernoulli_rewards_with_its_mean() {
    double[] means = {0.1, 0.7, 0.0, 1.0, 0.5};
    BernoulliBandit bandit = new BernoulliBandit(5, 4000);
    try (Environment env = bandit.make(BernoulliBandit.task(means))) {
      for (int arm : new int[] {0, 1, 2, 3}) {
        assertArrayEquals(new double[] {1.0}, env.reset(arm));
        double total = 0;
        for (int i = 0; i < 4000; i++) {
          StepResult r = env.step(new double[] {arm});
          assertTrue(r.reward() == 0.0 || r.reward() == 1.0);
          assertArrayEquals(new double[] {1.0}, r.observation());
          total += r.reward();
        }
        double p = means[arm];
        // Within 5 standard errors of the arm's mean.
        assertEquals(p, total / 4000, 5 * Math.sqrt(p * (1 - p) / 4000) + 1e-12, "arm " + arm);
      }
    }
  }

  @Test
  void when_the_horizon_is_reached_expect_a_terminal_step_and_no_more() {
    BernoulliBandit bandit = new BernoulliBandit(3, 2);
    try (Environment env = bandit.make(BernoulliBandit.task(new double[] {0.2, 0.4, 0.6}))) {
      env.reset(7);
      assertFalse(env.step(new double[] {1}).done());
      assertTrue(env.step(new double[] {1}).terminated());
      assertThrows(IllegalStateException.class, () -> env.step(new double[] {1}));
      env.reset(8);
      assertThrows(IllegalArgumentException.class, () -> env.step(new double[] {3}));
      assertThrows(IllegalArgumentException.class, () -> env.step(new double[] {0.5}));
    }
  }

  @Test
  void when_reset_with_the_same_seed_expect_the_same_rewards() {
    BernoulliBandit bandit = new BernoulliBandit(2, 50);
    Task t = BernoulliBandit.task(new double[] {0.5, 0.5});
    double[] a = new double[50];
    double[] b = new double[50];
    try (Environment e1 = bandit.make(t); Environment e2 = bandit.make(t)) {
      e1.reset(99);
      e2.reset(99);
      for (int i = 0; i < 50; i++) {
        a[i] = e1.step(new double[] {0}).reward();
        b[i] = e2.step(new double[] {0}).reward();
      }
    }
    assertArrayEquals(a, b);
  }

  @Test
  void when_arms_or_means_are_invalid_expect_clear_errors() {
    assertThrows(IllegalArgumentException.class, () -> new BernoulliBandit(1, 1));
    assertThrows(IllegalArgumentException.class, () -> BernoulliBandit.task(new double[] {0.5, 1.5}));
    assertThrows(IllegalArgumentException.class,
        () -> new BernoulliBandit(3, 1).make(BernoulliBandit.task(new double[] {0.5, 0.5})));
  }
}
