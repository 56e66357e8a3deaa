package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Tensor;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;

/**
 * ProMP, proximal meta-policy search (Rothfuss et al., ICLR 2019, Algorithm 1): on the samples
 * of one meta-iteration, {@link ProMpConfig#steps()} Adam steps on {@link ProMpObjective}, each
 * re-adapting θ through the inner loop with the LVC estimator, the clipped likelihood ratio
 * keeping the adapted policies near the ones that sampled, and the KL penalty η keeping the
 * pre-update policy near the one that sampled. No conjugate gradient and no line search.
 *
 * <p>Mutable: owns its {@link Adam} state and the current η (which changes only when {@code
 * kl_target} is set).
 */
public final class ProMp implements MetaLearner {
  private final Policy policy;
  private final ProMpConfig config;
  private final ProMpObjective objective;
  private final Adam adam;
  private double klCoeff;

  /**
   * @param estimator the inner estimator, {@code lvc} (ProMP) or {@code dice}
   * @param fastLr inner step size α
   * @param innerSteps inner gradient steps (at least 1)
   * @param adam the outer optimiser (the paper: learning rate 1e-3)
   */
  public ProMp(Policy policy, ProMpConfig config, String estimator, double fastLr, int innerSteps, Adam adam) {
    this.policy = policy;
    this.config = config;
    this.objective = new ProMpObjective(policy, estimator, fastLr, innerSteps, config.clipEps());
    this.adam = adam;
    this.klCoeff = config.klCoeff();
  }

  /** The outer optimiser and its state. */
  public Adam optimizer() {
    return adam;
  }

  /** The current weight η of the KL penalty. */
  public double klCoeff() {
    return klCoeff;
  }

  public ProMpObjective objective() {
    return objective;
  }

  @Override
  public Params adapt(Params theta, Batch train) {
    try (Arena arena = Arena.open()) {
      Params t = theta.detach();
      Tensor logp = policy.forward(t, train.observations()).logProb(train.actions()).detach();
      return objective.adapt(t.repeatPerTask(train.tasks()), train, logp, false).map(arena::escape);
    }
  }

  /**
   * {@link ProMpConfig#steps()} Adam steps on the same samples. {@code lossBefore} is the
   * objective at θ_old, {@code lossAfter} the one at the last step's θ before its update (what
   * the last gradient was taken at), {@code kl} the pre-update KL at the new θ, which drives the
   * adaptive η.
   */
  @Override
  public StepResult step(Params theta, Batch train, Batch valid) {
    try (Arena arena = Arena.open()) {
      ProMpObjective.Samples s = objective.samples(theta, train, valid);
      Params current = theta;
      double before = Double.NaN;
      double last = Double.NaN;
      for (int k = 0; k < config.steps(); k++) {
        // Each step's graph is freed at its end; only the new θ and the scalars leave.
        try (Arena stepArena = Arena.open()) {
          ProMpObjective.Result r = objective.evaluate(current, s, klCoeff);
          if (k == 0) {
            before = r.loss();
          }
          last = r.loss();
          current = adam.step(current, r.grad()).map(stepArena::escape);
        }
      }
      double kl;
      try (io.maml4j.autodiff.Tape.Scope ng = io.maml4j.autodiff.Tape.noGrad()) {
        kl = s.trainOld().kl(policy.forward(current, train.observations())).mul(train.weights()).sum().item()
            / train.totalTasks();
      }
      klCoeff = config.adaptKlCoeff(klCoeff, kl);
      return new StepResult(current.map(arena::escape), before, last, kl, true, config.steps());
    }
  }
}
