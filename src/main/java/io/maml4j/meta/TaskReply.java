package io.maml4j.meta;

import java.io.Serializable;

/**
 * One task's answer to a {@link TaskRequest}: per-task scalars and a per-task vector, which the
 * meta-step reduces over tasks in task order.
 *
 * @param values per-task scalars, in an order the meta-learner defines for the operation
 * @param vector a per-task vector (a gradient or a curvature product), or empty
 * @param data what sampling the task's data cost and returned, on the first reply of an
 *     iteration where the task's owner sampled it; null otherwise
 */
public record TaskReply(double[] values, double[] vector, TaskData data) implements Serializable {
  public TaskReply {
    values = values == null ? new double[0] : values;
    vector = vector == null ? new double[0] : vector;
  }

  public TaskReply(double[] values, double[] vector) {
    this(values, vector, null);
  }

  /** The same reply carrying {@code d}. */
  public TaskReply withData(TaskData d) {
    return new TaskReply(values, vector, d);
  }

  /**
   * The data side of a task's meta-iteration.
   *
   * @param preScore the mean return of the pre-adaptation episodes (supervised: minus θ's loss)
   * @param postScore the same after adaptation
   * @param envSteps environment steps (supervised: examples) sampled
   * @param sampleSeconds time spent sampling
   * @param adaptSeconds time spent in the inner loop
   */
  public record TaskData(double preScore, double postScore, long envSteps, double sampleSeconds,
      double adaptSeconds) implements Serializable {}
}
