package io.maml4j.baseline;

/**
 * A state-value estimate linear in the features [o, o^2, t, t^2, t^3, 1] with t = step / 100,
 * fitted to returns by ridge-regularised least squares, as in Duan et al. (2016) and every
 * reference MAML-RL implementation. Fitted per task on that task's episodes only.
 *
 * <p>Written by hand because the system is tiny ((2·obsDim + 4)² entries) and is solved
 * thousands of times per run; a dense-library call would cost more in overhead than the solve.
 */
public final class LinearFeatureBaseline {
  private static final int MAX_ATTEMPTS = 8;
  private final double initialReg;

  public LinearFeatureBaseline() {
    this(1e-5);
  }

  public LinearFeatureBaseline(double reg) {
    if (!(reg > 0)) {
      throw new IllegalArgumentException("baseline regulariser must be greater than 0, got " + reg);
    }
    this.initialReg = reg;
  }

  static int featureCount(int obsDim) {
    return 2 * obsDim + 4;
  }

  static void features(double[] obs, int obsOffset, int obsDim, int step, double[] out) {
    for (int d = 0; d < obsDim; d++) {
      double o = obs[obsOffset + d];
      out[d] = o;
      out[obsDim + d] = o * o;
    }
    double t = step / 100.0;
    out[2 * obsDim] = t;
    out[2 * obsDim + 1] = t * t;
    out[2 * obsDim + 2] = t * t * t;
    out[2 * obsDim + 3] = 1.0;
  }

  /**
   * Fits coefficients to (observation, step) -> return over the valid steps of a set of episodes.
   *
   * @param obs observations [E][H][obsDim] starting at {@code obsOffset}
   * @param returns returns [E][H] starting at {@code retOffset}
   * @param lengths valid steps of each of the E episodes starting at {@code lenOffset}
   */
  public double[] fit(double[] obs, int obsOffset, double[] returns, int retOffset, int[] lengths,
      int lenOffset, int episodes, int horizon, int obsDim) {
    int f = featureCount(obsDim);
    double[] xtx = new double[f * f];
    double[] xty = new double[f];
    double[] phi = new double[f];
    for (int e = 0; e < episodes; e++) {
      int len = lengths[lenOffset + e];
      for (int h = 0; h < len; h++) {
        features(obs, obsOffset + (e * horizon + h) * obsDim, obsDim, h, phi);
        double y = returns[retOffset + e * horizon + h];
        for (int i = 0; i < f; i++) {
          xty[i] += phi[i] * y;
          for (int j = 0; j <= i; j++) {
            xtx[i * f + j] += phi[i] * phi[j];
          }
        }
      }
    }
    for (int i = 0; i < f; i++) {
      for (int j = 0; j < i; j++) {
        xtx[j * f + i] = xtx[i * f + j];
      }
    }
    double reg = initialReg;
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      double[] w = solveRidge(xtx, xty, f, reg);
      if (w != null) {
        return w;
      }
      // Singular (e.g. every episode ended after one step): raise the ridge, as the references do.
      reg *= 10;
    }
    throw new ArithmeticException("linear baseline: normal equations stay singular up to ridge " + reg);
  }

  /** Predicted value of an observation at a step. */
  public static double predict(double[] w, double[] obs, int obsOffset, int obsDim, int step) {
    double[] phi = new double[featureCount(obsDim)];
    features(obs, obsOffset, obsDim, step, phi);
    double v = 0;
    for (int i = 0; i < phi.length; i++) {
      v += w[i] * phi[i];
    }
    return v;
  }

  /** Cholesky solve of (A + reg I) w = b; null if not positive definite or not finite. */
  static double[] solveRidge(double[] a, double[] b, int n, double reg) {
    double[] l = new double[n * n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j <= i; j++) {
        double s = a[i * n + j] + (i == j ? reg : 0);
        for (int k = 0; k < j; k++) {
          s -= l[i * n + k] * l[j * n + k];
        }
        if (i == j) {
          if (!(s > 0) || !Double.isFinite(s)) {
            return null;
          }
          l[i * n + i] = Math.sqrt(s);
        } else {
          l[i * n + j] = s / l[j * n + j];
        }
      }
    }
    double[] y = new double[n];
    for (int i = 0; i < n; i++) {
      double s = b[i];
      for (int k = 0; k < i; k++) {
        s -= l[i * n + k] * y[k];
      }
      y[i] = s / l[i * n + i];
    }
    double[] x = new double[n];
    for (int i = n - 1; i >= 0; i--) {
      double s = y[i];
      for (int k = i + 1; k < n; k++) {
        s -= l[k * n + i] * x[k];
      }
      x[i] = s / l[i * n + i];
    }
    for (double v : x) {
      if (!Double.isFinite(v)) {
        return null;
      }
    }
    return x;
  }
}
