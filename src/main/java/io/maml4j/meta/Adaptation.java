package io.maml4j.meta;

import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
import java.util.List;

/**
 * The inner loop: θ'_i = θ - α ∇θ L_Ti(f_θ) for every task at once (Finn et al. 2017,
 * Equation 1 and Algorithm 3 line 7), repeated for several steps.
 *
 * @param params the adapted parameters θ', stacked per task
 * @param stepInputs the parameters each inner step started from
 * @param stepGrads each step's inner gradients, recorded when the adaptation is differentiable
 */
public record Adaptation(Params params, List<Params> stepInputs, List<Params> stepGrads) {

  /**
   * Adapts shared parameters θ to every task of a batch.
   *
   * @param createGraph record the inner gradients so the result is differentiable to second
   *     order in θ; when false, ∂θ'/∂θ = I (first-order MAML) and nothing extra is kept
   */
  public static Adaptation adapt(Policy policy, Params theta, Batch train, double lr, int steps,
      boolean createGraph) {
    return adapt(policy, theta.repeatPerTask(train.tasks()), train, new double[] {lr}, steps, createGraph);
  }

  /**
   * Adapts per-task parameters; {@code lrs[s]} is the step size of step s (the last entry
   * repeats).
   */
  public static Adaptation adapt(Policy policy, Params perTask, Batch train, double[] lrs, int steps,
      boolean createGraph) {
    return adapt(policy, TaskLoss.REINFORCE, perTask, train, lrs, steps, createGraph);
  }

  /**
   * Adapts per-task parameters by gradient descent on any task loss: the REINFORCE loss for RL
   * tasks, the mean squared error for regression. {@code lrs[s]} is the step size of step s (the
   * last entry repeats); zero steps return {@code perTask} unchanged.
   */
  public static Adaptation adapt(Policy policy, TaskLoss taskLoss, Params perTask, Batch train, double[] lrs,
      int steps, boolean createGraph) {
    List<Params> inputs = new ArrayList<>(steps);
    List<Params> grads = new ArrayList<>(steps);
    Params p = perTask;
    for (int s = 0; s < steps; s++) {
      double lr = lrs[Math.min(s, lrs.length - 1)];
      // Without a graph the gradient is taken at fresh leaves, so it works on constant θ and
      // θ' = θ - α g still depends on θ with identity Jacobian (first-order MAML).
      Params at = createGraph ? p : p.detach().asVariables();
      Tensor loss = taskLoss.apply(policy, at, train);
      List<Tensor> g = Grad.grad(loss, at.list(), createGraph);
      Params gp = Params.of(p.names(), g);
      inputs.add(p);
      grads.add(gp);
      p = p.zip(gp, (x, dx) -> x.sub(dx.scale(lr)));
    }
    return new Adaptation(p, inputs, grads);
  }
}
