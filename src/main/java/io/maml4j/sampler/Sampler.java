package io.maml4j.sampler;

import io.maml4j.env.Task;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.List;
import java.util.SplittableRandom;

/** Collects episodes of a policy on a batch of tasks (Finn et al. 2017, Algorithm 3 lines 5 and 8). */
public interface Sampler {
  /**
   * Runs {@code episodesPerTask} episodes on each task.
   *
   * @param params shared by all tasks, or stacked per task (leading axis of size tasks.size())
   */
  Episodes sample(Policy policy, Params params, List<Task> tasks, int episodesPerTask, SplittableRandom rng);

  /**
   * Runs {@code episodesPerTask} episodes on each task, everything task t samples (its reset
   * seeds, then its actions step by step) drawn from {@code perTask.get(t)}: a task's episodes are
   * then the same whichever tasks are sampled beside it. With one task it is {@link #sample(Policy,
   * Params, List, int, SplittableRandom)} on that task's stream.
   */
  default Episodes sample(Policy policy, Params params, List<Task> tasks, int episodesPerTask,
      List<SplittableRandom> perTask) {
    if (tasks.size() == 1 && perTask.size() == 1) {
      return sample(policy, params, tasks, episodesPerTask, perTask.get(0));
    }
    throw new UnsupportedOperationException(getClass().getSimpleName() + " samples from one stream only");
  }
}
