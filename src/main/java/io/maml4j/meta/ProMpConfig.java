package io.maml4j.meta;

/**
 * Hyperparameters of ProMP's outer step (Rothfuss et al. 2019), with the defaults of the
 * paper's locomotion runs.
 *
 * @param steps Adam steps per meta-iteration on the same samples, each re-adapting through the
 *     inner loop (default 5)
 * @param clipEps ε of the clipped likelihood ratio 1 ± ε on the post-update episodes (0.3)
 * @param klCoeff η, the initial weight of the KL between the pre-update sampling policy and the
 *     current pre-update policy (5e-4)
 * @param klTarget 0 keeps η fixed (the paper's runs); above 0, after each meta-iteration η halves
 *     when the KL is below klTarget / 1.5 and doubles when it is above 1.5 klTarget
 */
public record ProMpConfig(int steps, double clipEps, double klCoeff, double klTarget) {
  public ProMpConfig {
    if (steps < 1) {
      throw new IllegalArgumentException("promp_steps must be at least 1, got " + steps);
    }
    if (!(clipEps > 0 && clipEps < 1)) {
      throw new IllegalArgumentException("clip_eps must be in (0, 1), got " + clipEps);
    }
    if (!(klCoeff >= 0 && Double.isFinite(klCoeff))) {
      throw new IllegalArgumentException("kl_coeff must be at least 0, got " + klCoeff);
    }
    if (!(klTarget >= 0 && Double.isFinite(klTarget))) {
      throw new IllegalArgumentException("kl_target must be at least 0, got " + klTarget);
    }
  }

  /** 5 steps, ε 0.3, η 5e-4 fixed. */
  public static ProMpConfig defaults() {
    return new ProMpConfig(5, 0.3, 5e-4, 0);
  }

  /** η after a meta-iteration whose final pre-update KL was {@code kl}. */
  public double adaptKlCoeff(double eta, double kl) {
    if (klTarget == 0) {
      return eta;
    }
    if (kl < klTarget / 1.5) {
      return eta / 2;
    }
    return kl > 1.5 * klTarget ? eta * 2 : eta;
  }
}
