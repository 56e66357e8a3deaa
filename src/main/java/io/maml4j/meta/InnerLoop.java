package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The inner loop of MAML, the one place that adapts parameters to tasks: θ'_i = θ - α ∇θ
 * L_Ti(f_θ) (Finn et al. 2017, Equation 1; Algorithm 3 line 7), repeated for {@code steps} steps
 * on one batch per task. Training, evaluation, the experiments and every meta-learner adapt
 * through it.
 *
 * @param policy the model f
 * @param loss the inner task loss L_Ti (its estimator: REINFORCE for RL, the MSE for regression)
 * @param stepSizes α of step s is {@code stepSizes[s]}; the last entry repeats
 * @param steps gradient steps of one adaptation; 0 leaves θ unchanged
 */
public record InnerLoop(Policy policy, TaskLoss loss, double[] stepSizes, int steps) {
  public InnerLoop {
    if (stepSizes.length == 0) {
      throw new IllegalArgumentException("need at least one inner step size");
    }
    for (double a : stepSizes) {
      // α = 0 is allowed: the "no adaptation" control of an evaluation.
      if (!(a >= 0 && Double.isFinite(a))) {
        throw new IllegalArgumentException("inner step sizes must be at least 0, got " + Arrays.toString(stepSizes));
      }
    }
    if (steps < 0) {
      throw new IllegalArgumentException("inner steps must be at least 0, got " + steps);
    }
    stepSizes = stepSizes.clone();
  }

  /** A constant step size α. */
  public InnerLoop(Policy policy, TaskLoss loss, double stepSize, int steps) {
    this(policy, loss, new double[] {stepSize}, steps);
  }

  @Override
  public double[] stepSizes() {
    return stepSizes.clone();
  }

  /** α of step {@code s}. */
  public double stepSize(int s) {
    return stepSizes[Math.min(s, stepSizes.length - 1)];
  }

  /**
   * Adapts per-task parameters (leading axis of size {@code train.tasks()}) on their tasks'
   * batch.
   *
   * @param createGraph record the inner gradients so that the result is differentiable to second
   *     order; when false, ∂θ'/∂θ = I (first-order MAML) and no graph of the gradients is kept
   */
  public Adaptation adapt(Params perTask, Batch train, boolean createGraph) {
    List<Params> inputs = new ArrayList<>(steps);
    List<Params> grads = new ArrayList<>(steps);
    Params p = perTask;
    for (int s = 0; s < steps; s++) {
      double lr = stepSize(s);
      // Without a graph the gradient is taken at fresh leaves, so it works on constant θ and
      // θ' = θ - α g still depends on θ with identity Jacobian (first-order MAML).
      Params at = createGraph ? p : p.detach().asVariables();
      Tensor l = loss.apply(policy, at, train);
      Params g = Params.of(p.names(), Grad.grad(l, at.list(), createGraph));
      inputs.add(p);
      grads.add(g);
      p = p.zip(g, (x, dx) -> x.sub(dx.scale(lr)));
    }
    return new Adaptation(p, inputs, grads);
  }

  /**
   * The same adaptation as {@code adapt(perTask, train, false)}, bit for bit, kept as constants:
   * θ', each step's input and each inner gradient are copied out of a scratch arena, and the
   * forward and backward passes that made them are freed on return. For learners that take their
   * derivatives through the inner step from the values alone ({@link
   * MetaLearner.AdaptationRecord#VALUES}), so that a meta-iteration does not hold those passes.
   */
  public Adaptation adaptValues(Params perTask, Batch train) {
    try (Arena arena = Arena.open()) {
      Adaptation a = adapt(perTask.detach(), train, false);
      List<Params> inputs = new ArrayList<>(a.stepInputs().size());
      List<Params> grads = new ArrayList<>(a.stepGrads().size());
      for (int s = 0; s < a.stepInputs().size(); s++) {
        // The first input is the caller's θ, which outlives the arena already.
        inputs.add(s == 0 ? perTask.detach() : a.stepInputs().get(s).map(arena::escape));
        grads.add(a.stepGrads().get(s).map(arena::escape));
      }
      return new Adaptation(steps == 0 ? perTask.detach() : a.params().map(arena::escape), inputs, grads);
    }
  }

  /**
   * The adapted values for shared θ, as constants that outlive the call (nothing of the graph is
   * kept): what post-adaptation episodes are sampled with.
   */
  public Params adapted(Params theta, Batch train) {
    try (Arena arena = Arena.open()) {
      return adapt(theta.detach().repeatPerTask(train.tasks()), train, false).params().map(arena::escape);
    }
  }

  /** The same loop with {@code steps} steps. */
  public InnerLoop withSteps(int n) {
    return new InnerLoop(policy, loss, stepSizes, n);
  }

  /** One step of size α_s: step {@code s} of an evaluation that re-samples between steps. */
  public InnerLoop step(int s) {
    return new InnerLoop(policy, loss, new double[] {stepSize(s)}, 1);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof InnerLoop l && l.policy.equals(policy) && l.loss.equals(loss)
        && Arrays.equals(l.stepSizes, stepSizes) && l.steps == steps;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * policy.hashCode() + loss.hashCode()) + 31 * Arrays.hashCode(stepSizes) + steps;
  }

  @Override
  public String toString() {
    return "InnerLoop[steps=" + steps + ", stepSizes=" + Arrays.toString(stepSizes) + "]";
  }
}
