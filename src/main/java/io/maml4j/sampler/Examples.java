package io.maml4j.sampler;

import io.maml4j.env.Task;
import java.util.List;

/**
 * K labelled examples for each of T supervised tasks: the inputs of K one-step episodes per task
 * and their targets. Arrays are row-major [task][example][dim]. Immutable: arrays are copied in
 * and out.
 */
public record Examples(List<Task> tasks, int perTask, int inputDim, int targetDim, double[] inputs,
    double[] targets) {
  /** Validates the sizes against T x K x dim. */
  public Examples {
    tasks = List.copyOf(tasks);
    if (perTask < 1 || inputDim < 1 || targetDim < 1) {
      throw new IllegalArgumentException("examples per task and dimensions must be at least 1, got " + perTask
          + ", " + inputDim + " and " + targetDim);
    }
    long rows = (long) tasks.size() * perTask;
    if (inputs.length != rows * inputDim || targets.length != rows * targetDim) {
      throw new IllegalArgumentException("expected " + rows * inputDim + " inputs and " + rows * targetDim
          + " targets for " + tasks.size() + " tasks x " + perTask + " examples, got " + inputs.length + " and "
          + targets.length);
    }
    inputs = inputs.clone();
    targets = targets.clone();
  }

  public int numTasks() {
    return tasks.size();
  }

  @Override
  public double[] inputs() {
    return inputs.clone();
  }

  @Override
  public double[] targets() {
    return targets.clone();
  }
}
