package io.maml4j.meta;

import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Distribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PointMass;

/** The losses of MAML-RL, each a sum over tasks of per-task averages. */
public final class Losses {
  private Losses() {}

  /**
   * The REINFORCE loss L_Ti (Finn et al. 2017, Equation 4, with baseline advantages), summed
   * over tasks: with per-task params each task's gradient is its own.
   */
  public static Tensor reinforce(Policy policy, Params params, Batch b) {
    Tensor logp = policy.forward(params, b.observations()).logProb(b.actions());
    return logp.mul(b.advantages()).mul(b.weights()).sum().neg();
  }

  /**
   * TRPO's surrogate: minus the importance-weighted advantage, averaged over tasks.
   *
   * @param oldLogProb log-probabilities of the actions under the sampling policy, constant
   */
  public static Tensor surrogate(Distribution dist, Tensor oldLogProb, Batch b) {
    Tensor ratio = dist.logProb(b.actions()).sub(oldLogProb).exp();
    return ratio.mul(b.advantages()).mul(b.weights()).sum().scale(-1.0 / b.totalTasks());
  }

  /**
   * Mean KL(new || old) over valid steps, averaged over tasks. The direction is the references'
   * (pytorch-maml-rl's kl_divergence(pi, old_pi)); both directions have the same Hessian at the
   * old parameters, but they differ for the line search's finite steps.
   */
  public static Tensor kl(Distribution current, Distribution old, Batch b) {
    return current.kl(old).mul(b.weights()).sum().scale(1.0 / b.totalTasks());
  }

  /**
   * The mean squared error of a regression task (Finn et al. 2017, Equation 2), summed over
   * tasks: per task, the weighted sum over examples of ||f(x) - y||², with the batch's actions as
   * targets y and its weights 1/K making it a mean. Needs a deterministic policy's prediction.
   */
  public static Tensor mse(Policy policy, Params params, Batch b) {
    if (!(policy.forward(params, b.observations()) instanceof PointMass prediction)) {
      throw new IllegalArgumentException("the mse loss needs a deterministic-mlp policy, got " + policy.spec().type());
    }
    return prediction.value().sub(b.actions()).square().sum(2).mul(b.weights()).sum();
  }

  /** Per task, the weighted sum over its rows of {@code rows} ([T, N, 1]): a [T] tensor of task means. */
  public static Tensor perTask(Tensor rows, Batch b) {
    return rows.mul(b.weights()).sum(1, 2).reshape(b.tasks());
  }

  /** TRPO's surrogate of every task on its own: [T], minus each task's importance-weighted advantage. */
  public static Tensor surrogatePerTask(Distribution dist, Tensor oldLogProb, Batch b) {
    Tensor ratio = dist.logProb(b.actions()).sub(oldLogProb).exp();
    return perTask(ratio.mul(b.advantages()), b).neg();
  }

  /** Mean KL(new || old) over each task's valid steps: [T]. */
  public static Tensor klPerTask(Distribution current, Distribution old, Batch b) {
    return perTask(current.kl(old), b);
  }

  /**
   * The cross-entropy of a classification task (Finn et al. 2017, Equation 3), summed over tasks:
   * per task, the weighted sum over examples of -log p_θ(y | x), with the batch's actions as the
   * labels y and its weights 1/(N K) making it a mean. Needs a policy over Discrete labels, such
   * as a conv-classifier.
   */
  public static Tensor crossEntropy(Policy policy, Params params, Batch b) {
    if (!(policy.actionSpace() instanceof io.maml4j.env.Discrete)) {
      throw new IllegalArgumentException("the cross-entropy loss needs a policy over Discrete labels, got "
          + policy.spec().type() + " with actions " + policy.actionSpace());
    }
    return policy.forward(params, b.observations()).logProb(b.actions()).mul(b.weights()).sum().neg();
  }

  /**
   * The fraction of examples whose most likely label is the batch's label, averaged over tasks
   * (each task's examples weighted by the batch's weights); a number, not on the tape.
   */
  public static double accuracy(Policy policy, Params params, Batch b) {
    double[] mode = policy.forward(params, b.observations()).mode();
    double[] labels = b.actions().toDoubles();
    double[] w = b.weights().toDoubles();
    double sum = 0;
    for (int i = 0; i < mode.length; i++) {
      sum += mode[i] == labels[i] ? w[i] : 0;
    }
    return sum / b.tasks();
  }
}
