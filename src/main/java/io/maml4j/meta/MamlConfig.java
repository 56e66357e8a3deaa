package io.maml4j.meta;

/**
 * Hyperparameters of MAML-TRPO, with the defaults of cbfinn/maml_rl and
 * tristandeleu/pytorch-maml-rl for 2D navigation.
 *
 * @param fastLr inner step size α
 * @param innerSteps number of inner gradient steps; 0 turns MAML into plain TRPO on the whole task
 *     distribution (no adaptation in the objective), the paper's "pretrained" baseline
 * @param firstOrder drop the second-order term of the meta-gradient (first-order MAML)
 * @param maxKl TRPO's trust-region size δ on the mean KL
 * @param cgIters conjugate-gradient iterations
 * @param cgDamping damping added to the curvature products
 * @param lsMaxSteps backtracking line-search steps
 * @param lsBacktrackRatio step shrink factor of the line search
 */
public record MamlConfig(double fastLr, int innerSteps, boolean firstOrder, double maxKl, int cgIters,
    double cgDamping, int lsMaxSteps, double lsBacktrackRatio) {
  public MamlConfig {
    require(fastLr > 0 && Double.isFinite(fastLr), "fast_lr must be greater than 0, got " + fastLr);
    require(innerSteps >= 0, "num_steps must be at least 0, got " + innerSteps);
    require(maxKl > 0 && Double.isFinite(maxKl), "max_kl must be greater than 0, got " + maxKl);
    require(cgIters >= 1, "cg_iters must be at least 1, got " + cgIters);
    require(cgDamping >= 0 && Double.isFinite(cgDamping), "cg_damping must be at least 0, got " + cgDamping);
    require(lsMaxSteps >= 1, "ls_max_steps must be at least 1, got " + lsMaxSteps);
    require(lsBacktrackRatio > 0 && lsBacktrackRatio < 1,
        "ls_backtrack_ratio must be in (0, 1), got " + lsBacktrackRatio);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  public static MamlConfig defaults() {
    return new MamlConfig(0.1, 1, false, 0.01, 10, 1e-5, 15, 0.8);
  }
}
