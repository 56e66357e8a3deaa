package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;

/**
 * MAML with Adam as the meta-optimiser (Finn et al. 2017, Algorithm 2 for supervised learning,
 * Algorithm 3 with a policy-gradient outer loss): θ ← Adam(θ, ∇θ (1/T) Σ_i L_Ti(f_θ'_i)) with
 * θ'_i = θ - α ∇θ L_Ti(f_θ) on the task's training batch (Equation 1) and the outer loss taken on
 * its validation batch, through the inner steps (second order unless first-order).
 *
 * <p>The losses are pluggable: {@link TaskLoss#MSE} gives the paper's sinusoid regression,
 * {@link TaskLoss#REINFORCE} gives MAML with vanilla policy gradient. With zero inner steps the
 * objective is the loss of θ itself on every task: the paper's "pretrained on all tasks" baseline,
 * trained by the same code. Mutable: owns its {@link Adam} state.
 */
public final class MamlAdam implements MetaLearner {
  private final Policy policy;
  private final TaskLoss innerLoss;
  private final TaskLoss outerLoss;
  private final double fastLr;
  private final int innerSteps;
  private final boolean firstOrder;
  private final Adam adam;

  /** The same loss inside and outside, with α, the inner step count and the first-order switch of {@code maml}. */
  public MamlAdam(Policy policy, TaskLoss loss, MamlConfig maml, Adam adam) {
    this(policy, loss, loss, maml.fastLr(), maml.innerSteps(), maml.firstOrder(), adam);
  }

  /**
   * @param innerSteps gradient steps of the adaptation; 0 trains θ jointly on all tasks
   * @param firstOrder drop the second-order term of the meta-gradient
   */
  public MamlAdam(Policy policy, TaskLoss innerLoss, TaskLoss outerLoss, double fastLr, int innerSteps,
      boolean firstOrder, Adam adam) {
    if (!(fastLr > 0 && Double.isFinite(fastLr))) {
      throw new IllegalArgumentException("fast_lr must be greater than 0, got " + fastLr);
    }
    if (innerSteps < 0) {
      throw new IllegalArgumentException("inner steps must be at least 0, got " + innerSteps);
    }
    this.policy = policy;
    this.innerLoss = innerLoss;
    this.outerLoss = outerLoss;
    this.fastLr = fastLr;
    this.innerSteps = innerSteps;
    this.firstOrder = firstOrder;
    this.adam = adam;
  }

  /**
   * The "pretrained" baseline of the paper (Section 5.1): one model trained by Adam on the loss of
   * every task at θ, with no adaptation in its objective.
   */
  public static MamlAdam jointTraining(Policy policy, TaskLoss loss, Adam adam) {
    return new MamlAdam(policy, loss, loss, 1.0, 0, true, adam);
  }

  /** The outer optimiser and its state. */
  public Adam optimizer() {
    return adam;
  }

  public int innerSteps() {
    return innerSteps;
  }

  @Override
  public Params adapt(Params theta, Batch train) {
    try (Arena arena = Arena.open()) {
      Adaptation a = Adaptation.adapt(policy, innerLoss, theta.detach().repeatPerTask(train.tasks()), train,
          new double[] {fastLr}, innerSteps, false);
      return a.params().map(arena::escape);
    }
  }

  /** The meta-objective (1/T) Σ_i L_Ti(f_θ'_i) on the validation batch, differentiable in θ. */
  public Tensor objective(Params thetaVars, Batch train, Batch valid) {
    Adaptation a = Adaptation.adapt(policy, innerLoss, thetaVars.repeatPerTask(train.tasks()), train,
        new double[] {fastLr}, innerSteps, !firstOrder);
    return outerLoss.apply(policy, a.params(), valid).scale(1.0 / valid.tasks());
  }

  /** The meta-gradient ∇θ of {@link #objective}, through the inner steps. */
  public Params metaGradient(Params theta, Batch train, Batch valid) {
    Params vars = theta.asVariables();
    Tensor loss = objective(vars, train, valid);
    return Params.of(vars.names(), Grad.grad(loss, vars.list(), false));
  }

  /**
   * One Adam step on the meta-gradient. {@code lossBefore} is the meta-objective at the old θ;
   * {@code lossAfter} is that same value, since re-evaluating at the new θ would cost a further
   * adaptation (the next iteration's {@code lossBefore} measures it on fresh tasks).
   */
  @Override
  public StepResult step(Params theta, Batch train, Batch valid) {
    try (Arena arena = Arena.open()) {
      Params vars = theta.asVariables();
      Tensor loss = objective(vars, train, valid);
      double before = loss.item();
      Params grad = Params.of(vars.names(), Grad.grad(loss, vars.list(), false));
      Params next = adam.step(theta, grad);
      return new StepResult(next, before, before, 0.0, true, 0);
    }
  }
}
