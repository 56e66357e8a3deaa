package io.maml4j.meta;

import io.maml4j.autodiff.Tensor;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.Examples;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Episodes of a meta-batch as tensors laid out [T, K*H, ...], with the per-row weight
 * 1 / (K * length) on valid steps and 0 on padding, so that {@code sum(x * weights)} over a
 * task is the mean over its episodes of the per-episode time average, as in the references.
 */
public record Batch(Tensor observations, Tensor actions, Tensor advantages, Tensor weights, int tasks,
    int totalTasks) {
  /**
   * @param tasks number of tasks in this batch (the leading axis)
   * @param totalTasks number of tasks of the whole meta-batch, which losses average over; larger
   *     than {@code tasks} when this batch is one slice of a meta-batch split across threads
   */
  public Batch {
    if (tasks < 1 || totalTasks < tasks) {
      throw new IllegalArgumentException("need 1 <= tasks <= totalTasks, got " + tasks + " and " + totalTasks);
    }
  }

  /** A whole meta-batch. */
  public Batch(Tensor observations, Tensor actions, Tensor advantages, Tensor weights, int tasks) {
    this(observations, actions, advantages, weights, tasks, tasks);
  }

  /** Tasks {@code from} (inclusive) to {@code to} (exclusive), averaging over the same total. */
  public Batch slice(int from, int to) {
    return new Batch(observations.slice(from, to), actions.slice(from, to), advantages.slice(from, to),
        weights.slice(from, to), to - from, totalTasks);
  }

  /** Task {@code i} alone, as one task's work sees it: its losses are that task's own means. */
  public Batch task(int i) {
    return new Batch(observations.slice(i, i + 1), actions.slice(i, i + 1), advantages.slice(i, i + 1),
        weights.slice(i, i + 1), 1, 1);
  }

  /** Builds the tensors of a batch from episodes and their advantages ([T][K][H]). */
  public static Batch of(Episodes ep, double[] advantages, DataType type) {
    int t = ep.numTasks();
    int k = ep.perTask();
    int h = ep.horizon();
    long rows = (long) k * h;
    int[] len = ep.lengths();
    double[] w = new double[advantages.length];
    for (int e = 0; e < len.length; e++) {
      for (int s = 0; s < len[e]; s++) {
        w[e * h + s] = 1.0 / ((double) k * len[e]);
      }
    }
    return new Batch(
        Tensor.of(ep.observations(), type, t, rows, ep.obsDim()),
        Tensor.of(ep.actions(), type, t, rows, ep.actDim()),
        Tensor.of(advantages, type, t, rows, 1),
        Tensor.of(w, type, t, rows, 1),
        t);
  }

  /**
   * The batch of labelled examples of supervised tasks ([T, K, ...]): inputs as observations,
   * targets as actions, unit advantages and weights 1/K, so that the losses average over each
   * task's K examples.
   */
  public static Batch supervised(Examples ex, DataType type) {
    int t = ex.numTasks();
    int k = ex.perTask();
    double[] ones = new double[t * k];
    double[] w = new double[t * k];
    java.util.Arrays.fill(ones, 1.0);
    java.util.Arrays.fill(w, 1.0 / k);
    return new Batch(
        Tensor.of(ex.inputs(), type, t, k, ex.inputDim()),
        Tensor.of(ex.targets(), type, t, k, ex.targetDim()),
        Tensor.of(ones, type, t, k, 1),
        Tensor.of(w, type, t, k, 1),
        t);
  }
}
