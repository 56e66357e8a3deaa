package io.maml4j.meta;

import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.List;

/**
 * A task loss L_Ti(f_θ) on a batch: the sum over the batch's tasks of each task's loss, so that
 * with parameters stacked per task each task's gradient is its own (Finn et al. 2017, Equation 1
 * takes the gradient of L_Ti). MAML is agnostic to it: the same inner and outer steps work with
 * any differentiable loss.
 */
@FunctionalInterface
public interface TaskLoss {
  /** The summed loss, a scalar tensor differentiable in {@code params}. */
  Tensor apply(Policy policy, Params params, Batch batch);

  /** Names accepted by {@link #named(String)}, as in training configs. */
  List<String> NAMES = List.of("reinforce", "mse", "cross-entropy", "lvc", "dice");

  /** The policy-gradient inner-loss estimators, as a config's {@code inner_estimator} names them. */
  List<String> ESTIMATORS = List.of("reinforce", "lvc", "dice");

  /** Policy-gradient loss for RL tasks (Equation 4): {@link Losses#reinforce}. */
  TaskLoss REINFORCE = Losses::reinforce;

  /** Mean squared error for regression tasks (Equation 2): {@link Losses#mse}. */
  TaskLoss MSE = Losses::mse;

  /** Cross-entropy for classification tasks (Equation 3): {@link Losses#crossEntropy}. */
  TaskLoss CROSS_ENTROPY = Losses::crossEntropy;

  /** ProMP's low-variance curvature estimator: {@link InnerEstimators#lvc(Policy, Params, Batch)}. */
  TaskLoss LVC = InnerEstimators::lvc;

  /** The DiCE estimator with a baseline: {@link InnerEstimators#dice}; needs episodic batches. */
  TaskLoss DICE = InnerEstimators::dice;

  /** The loss with a config name: {@code reinforce}, {@code mse}, {@code cross-entropy}, {@code lvc} or {@code dice}. */
  static TaskLoss named(String name) {
    return switch (name) {
      case "reinforce" -> REINFORCE;
      case "mse" -> MSE;
      case "cross-entropy" -> CROSS_ENTROPY;
      case "lvc" -> LVC;
      case "dice" -> DICE;
      default -> throw new IllegalArgumentException("loss must be one of " + NAMES + ", got " + name);
    };
  }
}
