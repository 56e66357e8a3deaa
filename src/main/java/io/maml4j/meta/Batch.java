package io.maml4j.meta;

import io.maml4j.autodiff.Tensor;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.Examples;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Episodes of a meta-batch as tensors laid out [T, K*H, ...], with the per-row weight
 * 1 / (K * length) on valid steps and 0 on padding, so that {@code sum(x * weights)} over a
 * task is the mean over its episodes of the per-episode time average, as in the references.
 *
 * <p>{@code episodic} is null unless the batch was built with {@link #of(Episodes, double[],
 * Rewards, DataType)}: the estimators that need the episodes' time structure (DiCE) need it.
 */
public record Batch(Tensor observations, Tensor actions, Tensor advantages, Tensor weights, Episodic episodic,
    int tasks, int totalTasks) {
  /**
   * @param episodic the per-step discounted rewards and baseline values, or null
   * @param tasks number of tasks in this batch (the leading axis)
   * @param totalTasks number of tasks of the whole meta-batch, which losses average over; larger
   *     than {@code tasks} when this batch is one slice of a meta-batch split across threads
   */
  public Batch {
    if (tasks < 1 || totalTasks < tasks) {
      throw new IllegalArgumentException("need 1 <= tasks <= totalTasks, got " + tasks + " and " + totalTasks);
    }
  }

  /** A slice of a meta-batch without the episodes' time structure. */
  public Batch(Tensor observations, Tensor actions, Tensor advantages, Tensor weights, int tasks, int totalTasks) {
    this(observations, actions, advantages, weights, null, tasks, totalTasks);
  }

  /** A whole meta-batch without the episodes' time structure. */
  public Batch(Tensor observations, Tensor actions, Tensor advantages, Tensor weights, int tasks) {
    this(observations, actions, advantages, weights, null, tasks, tasks);
  }

  /**
   * The time structure of the episodes, laid out like the batch's rows ([T, K*H, 1], episode
   * e's step t at row e*H + t, zero on padding).
   *
   * @param discountedRewards γ^t r_t
   * @param discountedValues γ^t b(s_t), the baseline's values
   * @param valid 1 on the episodes' steps, 0 on padding
   * @param horizon H, the rows per episode
   */
  public record Episodic(Tensor discountedRewards, Tensor discountedValues, Tensor valid, int horizon) {
    public Episodic {
      if (horizon < 1) {
        throw new IllegalArgumentException("horizon must be at least 1, got " + horizon);
      }
      if (discountedRewards.size(1) % horizon != 0) {
        throw new IllegalArgumentException("rows " + discountedRewards.size(1) + " are not a multiple of the horizon "
            + horizon);
      }
    }

    Episodic slice(int from, int to) {
      return new Episodic(discountedRewards.slice(from, to), discountedValues.slice(from, to), valid.slice(from, to),
          horizon);
    }
  }

  /**
   * What DiCE needs besides the advantages: the discount γ and the baseline's value of every
   * step ([T][K][H], zero on padding), as {@link io.maml4j.baseline.Advantages#values} fits them.
   */
  public record Rewards(double gamma, double[] values) {
    public Rewards {
      if (!(gamma > 0 && gamma <= 1)) {
        throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
      }
    }
  }

  /** Tasks {@code from} (inclusive) to {@code to} (exclusive), averaging over the same total. */
  public Batch slice(int from, int to) {
    return new Batch(observations.slice(from, to), actions.slice(from, to), advantages.slice(from, to),
        weights.slice(from, to), episodic == null ? null : episodic.slice(from, to), to - from, totalTasks);
  }

  /** Task {@code i} alone, as one task's work sees it: its losses are that task's own means. */
  public Batch task(int i) {
    return new Batch(observations.slice(i, i + 1), actions.slice(i, i + 1), advantages.slice(i, i + 1),
        weights.slice(i, i + 1), episodic == null ? null : episodic.slice(i, i + 1), 1, 1);
  }

  /** Builds the tensors of a batch from episodes and their advantages ([T][K][H]). */
  public static Batch of(Episodes ep, double[] advantages, DataType type) {
    return of(ep, advantages, null, type);
  }

  /**
   * Builds the tensors of a batch from episodes and their advantages ([T][K][H]) and, unless
   * {@code rewards} is null, the episodes' time structure for DiCE.
   */
  public static Batch of(Episodes ep, double[] advantages, Rewards rewards, DataType type) {
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
    Episodic episodic = null;
    if (rewards != null) {
      if (rewards.values().length != advantages.length) {
        throw new IllegalArgumentException("need one baseline value per step, got " + rewards.values().length
            + " for " + advantages.length);
      }
      double[] r = ep.rewards();
      double[] dr = new double[r.length];
      double[] dv = new double[r.length];
      double[] valid = new double[r.length];
      for (int e = 0; e < len.length; e++) {
        double discount = 1;
        for (int s = 0; s < len[e]; s++) {
          dr[e * h + s] = discount * r[e * h + s];
          dv[e * h + s] = discount * rewards.values()[e * h + s];
          valid[e * h + s] = 1;
          discount *= rewards.gamma();
        }
      }
      episodic = new Episodic(Tensor.of(dr, type, t, rows, 1), Tensor.of(dv, type, t, rows, 1),
          Tensor.of(valid, type, t, rows, 1), h);
    }
    return new Batch(
        Tensor.of(ep.observations(), type, t, rows, ep.obsDim()),
        Tensor.of(ep.actions(), type, t, rows, ep.actDim()),
        Tensor.of(advantages, type, t, rows, 1),
        Tensor.of(w, type, t, rows, 1),
        episodic,
        t, t);
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
