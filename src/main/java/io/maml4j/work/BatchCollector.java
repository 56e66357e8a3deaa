package io.maml4j.work;

import io.maml4j.env.Task;
import io.maml4j.meta.Batch;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.SplittableRandom;

/**
 * The data step of a task (Finn et al. 2017, Algorithm 3 lines 5 and 8, Algorithm 2 lines 5 and
 * 8): sample with the task's current parameters and turn what was sampled into the one-task
 * {@link Batch} the inner loop and the meta-learner read. For RL, episodes with advantages
 * ({@link RolloutCollector}); for supervised tasks, labelled examples ({@link ExampleCollector}).
 */
public interface BatchCollector {
  /**
   * Samples task {@code task} with {@code params} (shared, or stacked for one task).
   *
   * @param rng the task's own random stream; everything sampled comes from it
   */
  Collected collect(Policy policy, Params params, Task task, SplittableRandom rng);

  /**
   * Whether the data depends on the parameters it is sampled with. When it does, a task with no
   * inner step reuses its pre-adaptation batch as the post-adaptation one (θ' = θ would sample
   * the same distribution; pytorch-maml-rl does the same); when it does not (labelled examples),
   * the post-adaptation batch is a fresh draw so that the outer loss is taken on held-out data.
   */
  boolean dependsOnParams();

  /**
   * @param batch the task's batch
   * @param score the mean return of what was sampled (supervised: minus the loss of {@code params})
   * @param steps environment steps (supervised: examples) sampled
   */
  record Collected(Batch batch, double score, long steps) {}
}
