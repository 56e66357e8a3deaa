package io.maml4j.baseline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.Episodes;
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
