package io.maml4j.meta;

import io.maml4j.policy.Params;

/**
 * A meta-optimiser: consumes the pre- and post-adaptation episodes of one meta-batch (already
 * sampled) and returns updated meta-parameters. It never sees environments.
 */
public interface MetaLearner {
  /**
   * One meta-update (Finn et al. 2017, Algorithm 3 line 10).
   *
   * @param theta current shared meta-parameters
   * @param train episodes sampled with θ, used for the inner adaptation
   * @param valid episodes sampled with each task's adapted θ'_i
   */
  StepResult step(Params theta, Batch train, Batch valid);

  /** Adapted per-task parameters for sampling post-adaptation episodes; no graph is kept. */
  Params adapt(Params theta, Batch train);

  /** The outcome of a meta-update; {@code theta} is the new (or unchanged) meta-parameters. */
  record StepResult(Params theta, double lossBefore, double lossAfter, double kl, boolean accepted,
      int lineSearchSteps) {}
}
