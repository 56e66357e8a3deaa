package io.maml4j.baseline;

import io.maml4j.sampler.Episodes;

/**
 * Discounted returns and GAE(γ, λ) advantages (Schulman et al. 2016) with a per-task linear
 * feature baseline, normalised per task to zero mean and unit variance over valid steps.
 *
 * <p>Episodes that end in a terminal state or at the task's horizon H bootstrap from 0, as in
 * the reference implementations (H ends a finite-horizon task). An episode that the environment
 * truncated earlier by its own time limit bootstraps from the baseline's value of its final
 * observation.
 */
public final class Advantages {
  private Advantages() {}

  /** Discounted reward-to-go of every step, zero on padding: [T][K][H]. */
  public static double[] returns(Episodes ep, double gamma) {
    int h = ep.horizon();
    double[] r = ep.rewards();
    int[] len = ep.lengths();
    double[] out = new double[r.length];
    for (int e = 0; e < len.length; e++) {
      double acc = 0;
      for (int t = len[e] - 1; t >= 0; t--) {
        acc = r[e * h + t] + gamma * acc;
        out[e * h + t] = acc;
      }
    }
    return out;
  }

  /**
   * The baseline's value b(s_t) of every step, fitted per task to the discounted returns exactly
   * as {@link #compute} fits it: [T][K][H], zero on padding. DiCE's baseline term needs them.
   */
  public static double[] values(Episodes ep, double gamma, LinearFeatureBaseline baseline) {
    int k = ep.perTask();
    int h = ep.horizon();
    int od = ep.obsDim();
    double[] obs = ep.observations();
    int[] len = ep.lengths();
    double[] ret = returns(ep, gamma);
    double[] out = new double[ret.length];
    for (int task = 0; task < ep.numTasks(); task++) {
      double[] w = baseline.fit(obs, task * k * h * od, ret, task * k * h, len, task * k, k, h, od);
      for (int e = task * k; e < (task + 1) * k; e++) {
        for (int t = 0; t < len[e]; t++) {
          out[e * h + t] = LinearFeatureBaseline.predict(w, obs, (e * h + t) * od, od, t);
        }
      }
    }
    return out;
  }

  /** GAE advantages, per-task normalised when asked: [T][K][H], zero on padding. */
  public static double[] compute(Episodes ep, double gamma, double lambda, LinearFeatureBaseline baseline,
      boolean normalize) {
    int tasks = ep.numTasks();
    int k = ep.perTask();
    int h = ep.horizon();
    int od = ep.obsDim();
    double[] obs = ep.observations();
    double[] rew = ep.rewards();
    int[] len = ep.lengths();
    boolean[] truncated = ep.truncated();
    double[] fin = ep.finalObservations();
    double[] ret = returns(ep, gamma);
    double[] adv = new double[rew.length];
    for (int task = 0; task < tasks; task++) {
      double[] w = baseline.fit(obs, task * k * h * od, ret, task * k * h, len, task * k, k, h, od);
      for (int e = task * k; e < (task + 1) * k; e++) {
        int n = len[e];
        double next = truncated[e] ? LinearFeatureBaseline.predict(w, fin, e * od, od, n) : 0.0;
        double gae = 0;
        for (int t = n - 1; t >= 0; t--) {
          double v = LinearFeatureBaseline.predict(w, obs, (e * h + t) * od, od, t);
          double delta = rew[e * h + t] + gamma * next - v;
          gae = delta + gamma * lambda * gae;
          adv[e * h + t] = gae;
          next = v;
        }
      }
      if (normalize) {
        normalize(adv, len, task * k, k, h);
      }
    }
    return adv;
  }

  /**
   * Zero mean and unit variance over a task's valid steps, where the mean and the mean square are
   * averages of per-episode averages (pytorch-maml-rl's weighted_normalize), so every episode
   * counts equally whatever its length.
   */
  private static void normalize(double[] adv, int[] len, int firstEpisode, int k, int h) {
    double mean = 0;
    for (int e = firstEpisode; e < firstEpisode + k; e++) {
      double s = 0;
      for (int t = 0; t < len[e]; t++) {
        s += adv[e * h + t];
      }
      mean += s / len[e];
    }
    mean /= k;
    double meanSquare = 0;
    for (int e = firstEpisode; e < firstEpisode + k; e++) {
      double s = 0;
      for (int t = 0; t < len[e]; t++) {
        double d = adv[e * h + t] - mean;
        s += d * d;
      }
      meanSquare += s / len[e];
    }
    double std = Math.sqrt(meanSquare / k);
    for (int e = firstEpisode; e < firstEpisode + k; e++) {
      for (int t = 0; t < len[e]; t++) {
        adv[e * h + t] = (adv[e * h + t] - mean) / (std + 1e-8);
      }
    }
  }
}
