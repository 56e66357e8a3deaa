package io.maml4j.meta;

import io.maml4j.autodiff.Fused;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Curvatures;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * MAML-TRPO's curvature v ↦ J^T F J v (see {@link MamlTrpo}) from the structured products of
 * {@link Curvatures} instead of the tape: J = Π_s (I - α H_s) with H_s the inner loss's Hessian
 * at the s-th inner step's input, F the Fisher at the adapted parameters. The inner steps are
 * replayed from the same gradients the products use, so building one needs no recorded graph.
 *
 * <p>Holds the forward and backward passes of every inner step and of the adapted policy in the
 * arena current at build time; products allocate in the arena current when called.
 */
public final class StructuredCurvature {
  private final List<Curvatures.InnerHessian> inner;
  private final Curvatures.Product fisher;
  private final Params adapted;
  private final double[] lrs;
  private final boolean firstOrder;
  private final int tasks;

  private StructuredCurvature(List<Curvatures.InnerHessian> inner, Curvatures.Product fisher, Params adapted,
      double[] lrs, boolean firstOrder, int tasks) {
    this.inner = inner;
    this.fisher = fisher;
    this.adapted = adapted;
    this.lrs = lrs;
    this.firstOrder = firstOrder;
    this.tasks = tasks;
  }

  /** Whether {@code policy} supports structured products (else use the tape's curvature). */
  public static boolean supports(Policy policy) {
    return Curvatures.supports(policy);
  }

  /**
   * Builds the operator at shared parameters θ for a meta-batch, with {@code config}'s inner step
   * size, step count and order.
   *
   * @param train the inner-loss batch the adaptation steps on
   * @param valid the batch the KL is averaged over
   */
  public static StructuredCurvature build(Policy policy, MamlConfig config, Params theta, Batch train, Batch valid) {
    return build(policy, new double[] {config.fastLr()}, config.innerSteps(), config.firstOrder(), theta, train,
        valid);
  }

  /**
   * Builds the operator at shared parameters θ for a meta-batch.
   *
   * @param stepSizes α_s of inner step s (the last entry repeats)
   * @param steps inner steps on the REINFORCE loss
   * @param firstOrder take J = I (first-order MAML)
   */
  public static StructuredCurvature build(Policy policy, double[] stepSizes, int steps, boolean firstOrder,
      Params theta, Batch train, Batch valid) {
    if (stepSizes.length == 0 || steps < 0) {
      throw new IllegalArgumentException("need at least one step size and steps >= 0, got " + stepSizes.length
          + " and " + steps);
    }
    try (Tape.Scope s = Tape.noGrad()) {
      Params x = theta.detach().repeatPerTask(train.tasks());
      Tensor coef = train.advantages().mul(train.weights());
      List<Curvatures.InnerHessian> inner = new ArrayList<>(steps);
      double[] lrs = new double[steps];
      for (int step = 0; step < steps; step++) {
        Curvatures.InnerHessian h = Curvatures.reinforce(policy, x, train.observations(), train.actions(), coef);
        inner.add(h);
        double lr = stepSizes[Math.min(step, stepSizes.length - 1)];
        lrs[step] = lr;
        x = x.zip(h.gradient(), (a, g) -> Fused.subScaled(a, g, lr));
      }
      Tensor kw = valid.weights().scale(1.0 / valid.totalTasks());
      Curvatures.Product f = Curvatures.fisher(policy, x, valid.observations(), kw);
      return new StructuredCurvature(inner, f, x, lrs, firstOrder, valid.tasks());
    }
  }

  /**
   * Builds the operator at the points an adaptation already went through (its step inputs and
   * adapted parameters), so that the products are taken exactly where the tape's would be.
   *
   * @param adaptation an adaptation on the REINFORCE loss of {@code train}, with or without graph
   * @param stepSizes α_s of inner step s (the last entry repeats)
   */
  public static StructuredCurvature of(Policy policy, Adaptation adaptation, double[] stepSizes, boolean firstOrder,
      Batch train, Batch valid) {
    return of(policy, adaptation, stepSizes, firstOrder, train, valid, 1.0 / valid.totalTasks());
  }

  /**
   * The products of every task's own mean KL, task by task: {@link #perTaskProduct} gives each
   * task's J_i^T F_i J_i v, the per-task form a meta-step's task works reply with.
   */
  public static StructuredCurvature perTask(Policy policy, Adaptation adaptation, double[] stepSizes,
      boolean firstOrder, Batch train, Batch valid) {
    return of(policy, adaptation, stepSizes, firstOrder, train, valid, 1.0);
  }

  private static StructuredCurvature of(Policy policy, Adaptation adaptation, double[] stepSizes, boolean firstOrder,
      Batch train, Batch valid, double klScale) {
    if (stepSizes.length == 0) {
      throw new IllegalArgumentException("need at least one step size, got none");
    }
    try (Tape.Scope s = Tape.noGrad()) {
      Tensor coef = train.advantages().mul(train.weights());
      int steps = adaptation.stepInputs().size();
      List<Curvatures.InnerHessian> inner = new ArrayList<>(steps);
      double[] lrs = new double[steps];
      // First order needs no inner curvature: J = I.
      for (int step = 0; step < steps && !firstOrder; step++) {
        inner.add(Curvatures.reinforce(policy, adaptation.stepInputs().get(step), train.observations(),
            train.actions(), coef));
        lrs[step] = stepSizes[Math.min(step, stepSizes.length - 1)];
      }
      Params phi = adaptation.params().detach();
      Tensor kw = valid.weights().scale(klScale);
      return new StructuredCurvature(inner, Curvatures.fisher(policy, phi, valid.observations(), kw), phi, lrs,
          firstOrder, valid.tasks());
    }
  }

  /** The adapted parameters θ', stacked per task. */
  public Params adapted() {
    return adapted;
  }

  /** J u for a shared direction u: per-task directions. */
  public Params jacobian(Params u) {
    try (Tape.Scope s = Tape.noGrad()) {
      Params shared = u.detach();
      if (firstOrder || inner.isEmpty()) {
        return shared.repeatPerTask(tasks);
      }
      // The first factor takes u as it is (the products accept a shared direction) and its step
      // makes the per-task stack, so u is never copied out per task.
      Params w = shared;
      for (int i = 0; i < inner.size(); i++) {
        double lr = lrs[i];
        w = w.zip(inner.get(i).apply(w), (a, b) -> Fused.subScaled(a, b, lr));
      }
      int rank = shared.list().get(0).rank();
      return w.list().get(0).rank() == rank ? w.repeatPerTask(tasks) : w;
    }
  }

  /** J^T w for per-task w: a shared direction, the sum over tasks of {@link #transposePerTask}. */
  public Params jacobianTranspose(Params w) {
    try (Tape.Scope s = Tape.noGrad()) {
      return transposePerTask(w).map(t -> {
        long[] sh = t.shape();
        return t.sum(0).reshape(Arrays.copyOfRange(sh, 1, sh.length));
      });
    }
  }

  /**
   * J_i^T w_i for per-task w, task by task: with w_i the gradient of task i's outer loss at its
   * θ'_i, its meta-gradient through the inner steps (Finn et al. 2017, Algorithm 3 line 10).
   */
  public Params transposePerTask(Params w) {
    if (!firstOrder) {
      // Each factor I - α H_s is symmetric, so J^T applies them in reverse order.
      for (int i = inner.size() - 1; i >= 0; i--) {
        double lr = lrs[i];
        w = w.zip(inner.get(i).apply(w), (a, b) -> Fused.subScaled(a, b, lr));
      }
    }
    return w;
  }

  /** F w for per-task w, at the adapted parameters. */
  public Params fisher(Params w) {
    return fisher.apply(w);
  }

  /** The s-th inner step's Hessian-vector product, for per-task w. */
  public Params innerHessian(int step, Params w) {
    return inner.get(step).apply(w);
  }

  /** Every task's J_i^T F_i J_i v for a shared v, stacked per task ([T, ...]). */
  public Params perTaskProduct(Params v) {
    try (Tape.Scope s = Tape.noGrad()) {
      return transposePerTask(fisher(jacobian(v)));
    }
  }

  /** J^T F J v. */
  public Params product(Params v) {
    return jacobianTranspose(fisher(jacobian(v)));
  }
}
