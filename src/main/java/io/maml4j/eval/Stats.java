package io.maml4j.eval;

/** Summary statistics over tasks: mean, sample standard deviation and Student-t intervals. */
public final class Stats {
  private Stats() {}

  public static double mean(double[] x) {
    if (x.length == 0) {
      throw new IllegalArgumentException("mean of no values");
    }
    double s = 0;
    for (double v : x) {
      s += v;
    }
    return s / x.length;
  }

  /** Sample standard deviation (n - 1 in the denominator); 0 for a single value. */
  public static double std(double[] x) {
    if (x.length < 2) {
      return 0;
    }
    double m = mean(x);
    double s = 0;
    for (double v : x) {
      s += (v - m) * (v - m);
    }
    return Math.sqrt(s / (x.length - 1));
  }

  /** Half-width of the two-sided 95% Student-t confidence interval of the mean; 0 for n = 1. */
  public static double ci95(double[] x) {
    if (x.length < 2) {
      return 0;
    }
    return t975(x.length - 1) * std(x) / Math.sqrt(x.length);
  }

  /** Exact 0.975 quantiles of Student's t for 1..9 degrees of freedom. */
  private static final double[] T975_SMALL = {12.706204736174698, 4.302652729749464, 3.182446305284263,
      2.776445105197793, 2.570581835636314, 2.446911848791681, 2.364624251010991, 2.306004135204166,
      2.262157162798205};

  /**
   * The 0.975 quantile of Student's t with {@code dof} degrees of freedom: tabulated up to 9,
   * otherwise the Cornish-Fisher expansion about the normal quantile (error below 1e-4 from 10 on).
   */
  public static double t975(int dof) {
    if (dof < 1) {
      throw new IllegalArgumentException("degrees of freedom must be at least 1, got " + dof);
    }
    if (dof <= T975_SMALL.length) {
      return T975_SMALL[dof - 1];
    }
    double z = 1.959963984540054;
    double v = dof;
    double z3 = z * z * z;
    double z5 = z3 * z * z;
    double z7 = z5 * z * z;
    double z9 = z7 * z * z;
    return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
        + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * v * v * v)
        + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * v * v * v * v);
  }
}
