package io.maml4j.train;

import io.maml4j.baseline.Advantages;
import io.maml4j.baseline.LinearFeatureBaseline;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.meta.Batch;
import io.maml4j.meta.MamlTrpo;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.VectorSampler;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Few-shot evaluation of a meta-policy on given tasks, as in the MAML paper's locomotion results
 * (Finn et al. 2017, Section 5.3): sample K episodes per task with θ, take the inner gradient
 * step(s) to θ'_i, sample K more with θ'_i, and compare the mean returns. Uses the training
 * config's K (fast_batch_size), step size, number of steps, γ and λ; it never updates θ.
 */
public final class Evaluation {
  private final TaskDistribution distribution;
  private final Policy policy;
  private final TrainConfig config;
  private final VectorSampler sampler;

  public Evaluation(TaskDistribution distribution, Policy policy, TrainConfig config) {
    this.distribution = distribution;
    this.policy = policy;
    this.config = config;
    this.sampler = new VectorSampler(distribution);
  }

  /**
   * Per-task results.
   *
   * @param preReturns mean episode return of each task with θ
   * @param postReturns mean episode return of each task with its adapted θ'_i
   * @param adapted the adapted parameters, stacked per task
   */
  public record Result(List<Task> tasks, double[] preReturns, double[] postReturns, Params adapted) {
    public Result {
      tasks = List.copyOf(tasks);
      preReturns = preReturns.clone();
      postReturns = postReturns.clone();
    }

    @Override
    public double[] preReturns() {
      return preReturns.clone();
    }

    @Override
    public double[] postReturns() {
      return postReturns.clone();
    }

    /** Mean over tasks of the pre-adaptation returns. */
    public double meanPre() {
      return mean(preReturns);
    }

    /** Mean over tasks of the post-adaptation returns. */
    public double meanPost() {
      return mean(postReturns);
    }

    /** Sample standard deviation over tasks of post - pre. */
    public double sdGain() {
      int n = preReturns.length;
      if (n < 2) {
        return Double.NaN;
      }
      double m = meanPost() - meanPre();
      double s = 0;
      for (int i = 0; i < n; i++) {
        double d = postReturns[i] - preReturns[i] - m;
        s += d * d;
      }
      return Math.sqrt(s / (n - 1));
    }

    private static double mean(double[] x) {
      double s = 0;
      for (double v : x) {
        s += v;
      }
      return s / x.length;
    }
  }

  /** Evaluates θ on {@code tasks}; all sampling randomness comes from {@code rng}. */
  public Result run(Params theta, List<Task> tasks, SplittableRandom rng) {
    if (tasks.isEmpty()) {
      throw new IllegalArgumentException("evaluation needs at least one task");
    }
    Episodes pre = sampler.sample(policy, theta, tasks, config.fastBatchSize(), rng);
    LinearFeatureBaseline baseline = new LinearFeatureBaseline();
    double[] adv = Advantages.compute(pre, config.gamma(), config.gaeLambda(), baseline, true);
    Params adapted = new MamlTrpo(policy, config.maml()).adapt(theta, Batch.of(pre, adv, config.dataType()));
    Episodes post = sampler.sample(policy, adapted, tasks, config.fastBatchSize(), rng);
    return new Result(tasks, pre.taskReturns(), post.taskReturns(), adapted);
  }

  /** The distribution evaluated on. */
  public TaskDistribution distribution() {
    return distribution;
  }
}
