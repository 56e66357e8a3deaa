package io.maml4j.work;

import io.maml4j.env.Task;
import io.maml4j.meta.Batch;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The data step of a task (Finn et al. 2017, Algorithm 3 lines 5 and 8, Algorithm 2 lines 5 and
 * 8): sample with the task's current parameters and turn what was sampled into the one-task
 * {@link Batch} the inner loop and the meta-learner read. For RL, episodes with advantages
 * ({@link RolloutCollector}); for supervised tasks, labelled examples ({@link ExampleCollector}).
 */
public interface BatchCollector {
  /**
   * Samples tasks {@code tasks} with {@code params} (stacked per task, leading axis of size
   * tasks.size()), everything task t samples drawn from {@code rngs.get(t)} alone: a task's data is
   * the same whichever tasks are collected beside it.
   */
  Collected collect(Policy policy, Params params, List<Task> tasks, List<SplittableRandom> rngs);

  /** One task: {@link #collect(Policy, Params, List, List)} with its own stream. */
  default Collected collect(Policy policy, Params params, Task task, SplittableRandom rng) {
    return collect(policy, params, List.of(task), List.of(rng));
  }

  /**
   * Whether the data depends on the parameters it is sampled with. When it does, a task with no
   * inner step reuses its pre-adaptation batch as the post-adaptation one (θ' = θ would sample
   * the same distribution; pytorch-maml-rl does the same); when it does not (labelled examples),
   * the post-adaptation batch is a fresh draw so that the outer loss is taken on held-out data.
   */
  boolean dependsOnParams();

  /**
   * @param batch the tasks' batch
   * @param scores per task, the mean return of what was sampled (supervised: minus the loss of
   *     the task's parameters)
   * @param steps per task, the environment steps (supervised: examples) sampled
   */
  record Collected(Batch batch, double[] scores, long[] steps) {
    public Collected {
      if (scores.length != batch.tasks() || steps.length != batch.tasks()) {
        throw new IllegalArgumentException("need one score and one step count per task, got " + scores.length
            + " and " + steps.length + " for " + batch.tasks() + " tasks");
      }
    }

    /** The score of a one-task collection. */
    public double score() {
      if (scores.length != 1) {
        throw new IllegalStateException("score() of " + scores.length + " tasks");
      }
      return scores[0];
    }

    /** All the tasks' steps. */
    public long totalSteps() {
      long n = 0;
      for (long x : steps) {
        n += x;
      }
      return n;
    }
  }
}
