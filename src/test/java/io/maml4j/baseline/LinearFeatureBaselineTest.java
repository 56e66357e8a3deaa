package io.maml4j.baseline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearFeatureBaselineTest {
  @Test
  void when_features_are_built_expect_observation_squares_and_cubic_in_step_over_100() {
    double[] obs = {9, 9, 0.5, -2, 9};
    double[] phi = new double[8];
    LinearFeatureBaseline.features(obs, 2, 2, 50, phi);
    assertArrayEquals(new double[] {0.5, -2, 0.25, 4, 0.5, 0.25, 0.125, 1}, phi, 0);
    assertEquals(8, LinearFeatureBaseline.featureCount(2));
  }

  @Test
  void when_spd_system_has_off_diagonal_terms_expect_ridge_solve_to_match_the_closed_form() {
    // A is SPD (leading minors 4, 11, 43); b = (A + 0.5 I) x for x = (1, -2, 3).
    double[] a = {4, 1, 2, 1, 3, 0, 2, 0, 5};
    double[] b = {8.5, -6, 18.5};
    assertArrayEquals(new double[] {1, -2, 3}, LinearFeatureBaseline.solveRidge(a, b, 3, 0.5), 1e-12);
    // Without the ridge: A x = (8, -5, 17).
    assertArrayEquals(new double[] {1, -2, 3}, LinearFeatureBaseline.solveRidge(a, new double[] {8, -5, 17}, 3, 0),
        1e-12);
  }

  @Test
  void when_system_is_indefinite_or_not_finite_expect_no_solution() {
    assertNull(LinearFeatureBaseline.solveRidge(new double[] {1, 2, 2, 1}, new double[] {1, 1}, 2, 0));
    assertNull(LinearFeatureBaseline.solveRidge(new double[] {1, 0, 0, Double.NaN}, new double[] {1, 1}, 2, 0));
    assertNull(LinearFeatureBaseline.solveRidge(new double[] {1e-300, 0, 0, 1}, new double[] {1e300, 1}, 2, 0));
  }

  /**
   * Returns that are exactly linear in the features: least squares recovers the generating
   * coefficients, and only the episodes and steps it is pointed at count. The data sit after two
   * episodes of junk, so that every offset matters.
   */
  @Test
  void when_returns_are_linear_in_the_features_expect_fit_to_recover_the_coefficients() {
    int h = 30;
    int od = 2;
    double[] wTrue = {0.5, -1, 2, 0.25, 3, -4, 10, 1.5};
    double[] obs = new double[4 * h * od];
    double[] ret = new double[4 * h];
    int[] len = {h, h, h, 17};
    SplittableRandom rng = new SplittableRandom(3);
    double[] phi = new double[8];
    for (int e = 0; e < 4; e++) {
      for (int t = 0; t < h; t++) {
        int at = (e * h + t) * od;
        for (int d = 0; d < od; d++) {
          obs[at + d] = e < 2 ? 50 : 2 * rng.nextDouble() - 1;
        }
        LinearFeatureBaseline.features(obs, at, od, t, phi);
        double y = 0;
        for (int i = 0; i < 8; i++) {
          y += wTrue[i] * phi[i];
        }
        // Junk episodes and the padding after episode 3's 17 steps must not count.
        ret[e * h + t] = e < 2 || t >= len[e] ? 1e3 : y;
      }
    }
    double[] w = new LinearFeatureBaseline(1e-12).fit(obs, 2 * h * od, ret, 2 * h, len, 2, 2, h, od);
    assertArrayEquals(wTrue, w, 1e-4);
    for (int e = 2; e < 4; e++) {
      for (int t = 0; t < len[e]; t++) {
        assertEquals(ret[e * h + t], LinearFeatureBaseline.predict(w, obs, (e * h + t) * od, od, t), 1e-8);
      }
    }
  }

  @Test
  void when_data_stay_singular_at_every_ridge_expect_an_arithmetic_error() {
    double[] obs = {Double.NaN, 0};
    ArithmeticException e = assertThrows(ArithmeticException.class,
        () -> new LinearFeatureBaseline(1).fit(obs, 0, new double[] {1}, 0, new int[] {1}, 0, 1, 1, 2));
    // Eight attempts from a ridge of 1, raised tenfold after each: the message names 1e8.
    assertEquals("linear baseline: normal equations stay singular up to ridge 1.0E8", e.getMessage());
  }

  @Test
  void when_regulariser_is_not_positive_expect_rejection() {
    assertThrows(IllegalArgumentException.class, () -> new LinearFeatureBaseline(0));
    assertThrows(IllegalArgumentException.class, () -> new LinearFeatureBaseline(Double.NaN));
  }
}
