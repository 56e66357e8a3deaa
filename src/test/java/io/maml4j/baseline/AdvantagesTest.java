package io.maml4j.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.EpisodesFixture;
import io.maml4j.sampler.VectorSampler;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

class AdvantagesTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 7);

  private Episodes episodes() {
    Policy p = Policies.create(PolicySpec.defaultGaussian(), nav.observationSpace(), nav.actionSpace());
    SplittableRandom rng = new SplittableRandom(4);
    return new VectorSampler(nav).sample(p, p.init(rng, DataType.DOUBLE), nav.sample(3, rng), 4, rng);
  }

  /** Episodes of a goal one clipped step away, so that some end early and lengths differ. */
  private Episodes episodesOfVaryingLength() {
    Policy p = Policies.create(PolicySpec.defaultGaussian(), nav.observationSpace(), nav.actionSpace());
    SplittableRandom rng = new SplittableRandom(4);
    var tasks = java.util.List.of(Navigation2D.goal(0.1, 0.1), Navigation2D.goal(0.1, -0.1));
    return new VectorSampler(nav).sample(p, p.init(rng, DataType.DOUBLE), tasks, 8, rng);
  }

  private static final double GAMMA = 0.9;
  private static final double LAMBDA = 0.5;

  /**
   * Two tasks of three episodes, horizon 4, observations of dimension 2. Task 0 has A (3 steps,
   * terminated), B (2 steps, truncated by the environment's own time limit, final observation
   * that of step 2) and C (3 steps, terminated); task 1 has them in the order B, A, C, with
   * rewards times 10 and shifted observations. All episodes of a task see the same observation
   * at a step and the three observations differ, so the linear baseline (a quadratic in the
   * first coordinate plus a constant) interpolates the per-step mean of the returns exactly:
   * V(step 0) = mean of three returns, V(1) likewise, V(2) = mean of A's and C's. Task 1's
   * values and advantages are then ten times task 0's, but only if its baseline is fitted on its
   * own episodes.
   */
  private static Episodes handWorked() {
    int h = 4;
    double[][] rewards = {{1, 2, 3}, {4, 5}, {0, -1, 2}};
    int[][] order = {{0, 1, 2}, {1, 0, 2}};
    double[][] step = {{-1, 0.5}, {0, 0.5}, {2, 0.5}};
    double[] obs = new double[2 * 3 * h * 2];
    double[] fin = new double[2 * 3 * 2];
    double[] rew = new double[2 * 3 * h];
    int[] len = new int[6];
    boolean[] truncated = new boolean[6];
    for (int task = 0; task < 2; task++) {
      for (int k = 0; k < 3; k++) {
        int e = task * 3 + k;
        int kind = order[task][k];
        len[e] = rewards[kind].length;
        truncated[e] = kind == 1;
        for (int t = 0; t < len[e]; t++) {
          obs[(e * h + t) * 2] = step[t][0] + task;
          obs[(e * h + t) * 2 + 1] = step[t][1];
          rew[e * h + t] = rewards[kind][t] * (task == 0 ? 1 : 10);
        }
        // B's final observation is the one it would have seen at step 2.
        fin[e * 2] = step[2][0] + task;
        fin[e * 2 + 1] = 0.5;
      }
    }
    return EpisodesFixture.of(2, 3, h, 2, obs, rew, len, truncated, fin);
  }

  /** Task 0's returns by hand with γ = 0.9, [A | B | C], each padded to the horizon 4. */
  private static final double[] HAND_RETURNS = {
      1 + 0.9 * (2 + 0.9 * 3), 2 + 0.9 * 3, 3, 0,
      4 + 0.9 * 5, 5, 0, 0,
      0 + 0.9 * (-1 + 0.9 * 2), -1 + 0.9 * 2, 2, 0};

  /** Task 1 lists B, A, C: the index in task 0's layout of each of its steps. */
  private static int inTask0(int i) {
    int k = i / 4;
    return (k == 0 ? 1 : k == 1 ? 0 : 2) * 4 + i % 4;
  }

  @Test
  void when_episodes_differ_in_length_expect_every_step_to_get_its_discounted_reward_to_go() {
    double[] ret = Advantages.returns(handWorked(), GAMMA);
    for (int i = 0; i < 12; i++) {
      assertEquals(HAND_RETURNS[i], ret[i], 1e-12, "task 0 return " + i);
      assertEquals(10 * HAND_RETURNS[inTask0(i)], ret[12 + i], 1e-11, "task 1 return " + i);
    }
  }

  @Test
  void when_gae_is_worked_by_hand_on_three_steps_expect_the_same_advantages() {
    // Baseline values: per-step means of the returns (see handWorked()).
    double v0 = (5.23 + 8.5 + 0.72) / 3;
    double v1 = (4.7 + 5 + 0.8) / 3;
    double v2 = (3 + 2) / 2.0;
    double gl = GAMMA * LAMBDA;
    // A, terminated after 3 steps: bootstraps from 0.
    double a2 = 3 - v2;
    double a1 = (2 + GAMMA * v2 - v1) + gl * a2;
    double a0 = (1 + GAMMA * v1 - v0) + gl * a1;
    // B, truncated after 2 steps: bootstraps from the value of its final observation, v2.
    double b1 = 5 + GAMMA * v2 - v1;
    double b0 = (4 + GAMMA * v1 - v0) + gl * b1;
    // C, terminated after 3 steps.
    double c2 = 2 - v2;
    double c1 = (-1 + GAMMA * v2 - v1) + gl * c2;
    double c0 = (0 + GAMMA * v1 - v0) + gl * c1;
    double[] expected = {a0, a1, a2, 0, b0, b1, 0, 0, c0, c1, c2, 0};
    // The same numbers written out: a guard against a slip in the expressions above.
    assertEquals(-0.2279166666666, a0, 1e-9);
    assertEquals(4.0208333333333, b0, 1e-9);
    assertEquals(-2.7804166666666, c0, 1e-9);

    double[] adv = Advantages.compute(handWorked(), GAMMA, LAMBDA, new LinearFeatureBaseline(1e-10), false);
    for (int i = 0; i < 12; i++) {
      assertEquals(expected[i], adv[i], 1e-6, "task 0 advantage " + i);
      assertEquals(10 * expected[inTask0(i)], adv[12 + i], 1e-5, "task 1 advantage " + i);
    }
  }

  @Test
  void returnsAreDiscountedRewardToGo() {
    Episodes ep = episodes();
    double[] ret = Advantages.returns(ep, 0.9);
    double[] r = ep.rewards();
    int h = ep.horizon();
    int len = ep.lengths()[0];
    double expected = 0;
    for (int t = len - 1; t >= 0; t--) {
      expected = r[t] + 0.9 * expected;
    }
    assertEquals(expected, ret[0], 1e-12);
  }

  @Test
  void normalisedAdvantagesHaveZeroMeanUnitVariancePerTaskOverEpisodeAverages() {
    Episodes ep = episodesOfVaryingLength();
    double[] adv = Advantages.compute(ep, 0.99, 1.0, new LinearFeatureBaseline(), true);
    int k = ep.perTask();
    int h = ep.horizon();
    boolean lengthsVary = false;
    for (int task = 0; task < ep.numTasks(); task++) {
      double mean = 0;
      double meanSquare = 0;
      for (int e = task * k; e < (task + 1) * k; e++) {
        int len = ep.lengths()[e];
        lengthsVary |= len != ep.lengths()[task * k];
        double s = 0;
        double sq = 0;
        for (int t = 0; t < len; t++) {
          s += adv[e * h + t];
          sq += adv[e * h + t] * adv[e * h + t];
        }
        mean += s / len / k;
        meanSquare += sq / len / k;
      }
      assertEquals(0.0, mean, 1e-9);
      assertEquals(1.0, meanSquare, 1e-6);
    }
    // Otherwise per-episode and per-step averaging would coincide and this test would not tell.
    assertTrue(lengthsVary, "fixture episodes should have different lengths");
    // Per-step averaging, the other common convention, gives a different mean here.
    double perStep = 0;
    int steps = 0;
    for (int e = 0; e < k; e++) {
      for (int t = 0; t < ep.lengths()[e]; t++) {
        perStep += adv[e * h + t];
        steps++;
      }
    }
    assertTrue(Math.abs(perStep / steps) > 1e-3, "per-step mean " + perStep / steps);
  }

  @Test
  void when_values_are_asked_for_expect_the_hand_worked_per_step_means_of_the_returns() {
    // The same fit as the hand-worked GAE: per-step means of the returns, zero on padding.
    double v0 = (5.23 + 8.5 + 0.72) / 3;
    double v1 = (4.7 + 5 + 0.8) / 3;
    double v2 = (3 + 2) / 2.0;
    double[] expected = {v0, v1, v2, 0, v0, v1, 0, 0, v0, v1, v2, 0};
    double[] values = Advantages.values(handWorked(), GAMMA, new LinearFeatureBaseline(1e-10));
    for (int i = 0; i < 12; i++) {
      assertEquals(expected[i], values[i], 1e-6, "task 0 value " + i);
      assertEquals(10 * expected[inTask0(i)], values[12 + i], 1e-5, "task 1 value " + i);
    }
  }

  @Test
  void gaeWithLambdaOneIsReturnMinusBaselinePlusBootstrap() {
    Episodes ep = episodes();
    double[] adv = Advantages.compute(ep, 0.99, 1.0, new LinearFeatureBaseline(), false);
    double[] adv0 = Advantages.compute(ep, 0.99, 0.0, new LinearFeatureBaseline(), false);
    // λ = 0 is the one-step TD error, λ = 1 the Monte-Carlo advantage: they differ in general.
    assertTrue(Math.abs(adv[0] - adv0[0]) > 1e-9);
    for (double a : adv) {
      assertTrue(Double.isFinite(a));
    }
  }

  @Test
  void singularNormalEquationsRaiseTheRidgeInsteadOfReturningNaN() {
    // Every observation and step identical: X^T X has rank 1.
    int episodes = 5;
    int h = 1;
    double[] obs = new double[episodes * h * 2];
    double[] ret = new double[episodes * h];
    int[] len = new int[episodes];
    java.util.Arrays.fill(len, 1);
    java.util.Arrays.fill(ret, -3.0);
    double[] w = new LinearFeatureBaseline(1e-12).fit(obs, 0, ret, 0, len, 0, episodes, h, 2);
    assertNotNull(w);
    for (double x : w) {
      assertTrue(Double.isFinite(x));
    }
    assertEquals(-3.0, LinearFeatureBaseline.predict(w, obs, 0, 2, 0), 1e-3);
  }
}
