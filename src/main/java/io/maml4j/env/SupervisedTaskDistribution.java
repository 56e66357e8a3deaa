package io.maml4j.env;

/**
 * A distribution over supervised tasks, the H = 1 case of MAML's task abstraction (Finn et al.
 * 2017, Section 2.1): an episode is one input x drawn from q(x1) by {@link Environment#reset},
 * the action is the model's prediction for x, and the single step's reward is minus the task's
 * loss against the target y = {@link #target}(task, x), after which the episode ends.
 *
 * <p>Learning from examples uses the targets directly: a sample of K examples of a task is the
 * inputs of K one-step episodes together with their targets (see {@code
 * io.maml4j.sampler.ExampleSampler}), so the gradient of the loss with respect to the
 * prediction is available, as it is not for an RL reward.
 */
public interface SupervisedTaskDistribution extends TaskDistribution {
  /** The correct output for an input of a task, laid out as a flat element of the action space. */
  double[] target(Task task, double[] input);

  /** Supervised tasks are one-step episodes. */
  @Override
  default int horizon() {
    return 1;
  }
}
