package io.maml4j.work;

import io.maml4j.baseline.Advantages;
import io.maml4j.baseline.LinearFeatureBaseline;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.meta.Batch;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.Sampler;
import io.maml4j.sampler.VectorSampler;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * RL data of a task: K episodes, GAE(γ, λ) advantages against a linear feature baseline fitted
 * to the task's own episodes, normalised per task, as in the references.
 *
 * @param episodes episodes per task K ({@code fast_batch_size})
 * @param episodic also record the episodes' discounted rewards and baseline values
 *     ({@link Batch.Episodic}), which the DiCE estimator and E-MAML's exploration term need
 */
public record RolloutCollector(Sampler sampler, int episodes, double gamma, double lambda, DataType type,
    boolean episodic) implements BatchCollector {
  private static final LinearFeatureBaseline BASELINE = new LinearFeatureBaseline();

  public RolloutCollector {
    if (episodes < 1) {
      throw new IllegalArgumentException("episodes per task must be at least 1, got " + episodes);
    }
  }

  /** Batches without the episodes' time structure. */
  public RolloutCollector(Sampler sampler, int episodes, double gamma, double lambda, DataType type) {
    this(sampler, episodes, gamma, lambda, type, false);
  }

  /** Stochastic episodes of {@code distribution}'s environments. */
  public RolloutCollector(TaskDistribution distribution, int episodes, double gamma, double lambda, DataType type) {
    this(distribution, episodes, gamma, lambda, type, false);
  }

  /** Stochastic episodes of {@code distribution}'s environments, with their time structure when {@code episodic}. */
  public RolloutCollector(TaskDistribution distribution, int episodes, double gamma, double lambda, DataType type,
      boolean episodic) {
    this(new VectorSampler(distribution), episodes, gamma, lambda, type, episodic);
  }

  @Override
  public Collected collect(Policy policy, Params params, List<Task> tasks, List<SplittableRandom> rngs) {
    Episodes ep = sampler.sample(policy, params, tasks, episodes, rngs);
    double[] adv = Advantages.compute(ep, gamma, lambda, BASELINE, true);
    long[] steps = new long[tasks.size()];
    int[] len = ep.lengths();
    for (int e = 0; e < len.length; e++) {
      steps[e / episodes] += len[e];
    }
    // Refitted per task exactly as Advantages.compute fits it, so a task's values are its own.
    Batch.Rewards rewards = episodic ? new Batch.Rewards(gamma, Advantages.values(ep, gamma, BASELINE)) : null;
    return new Collected(Batch.of(ep, adv, rewards, type), ep.taskReturns(), steps);
  }

  @Override
  public boolean dependsOnParams() {
    return true;
  }
}
