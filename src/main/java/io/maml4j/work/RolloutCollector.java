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
 */
public record RolloutCollector(Sampler sampler, int episodes, double gamma, double lambda, DataType type)
    implements BatchCollector {
  private static final LinearFeatureBaseline BASELINE = new LinearFeatureBaseline();

  public RolloutCollector {
    if (episodes < 1) {
      throw new IllegalArgumentException("episodes per task must be at least 1, got " + episodes);
    }
  }

  /** Stochastic episodes of {@code distribution}'s environments. */
  public RolloutCollector(TaskDistribution distribution, int episodes, double gamma, double lambda, DataType type) {
    this(new VectorSampler(distribution), episodes, gamma, lambda, type);
  }

  @Override
  public Collected collect(Policy policy, Params params, Task task, SplittableRandom rng) {
    Episodes ep = sampler.sample(policy, params, List.of(task), episodes, rng);
    double[] adv = Advantages.compute(ep, gamma, lambda, BASELINE, true);
    return new Collected(Batch.of(ep, adv, type), ep.meanReturn(), ep.steps());
  }

  @Override
  public boolean dependsOnParams() {
    return true;
  }
}
