package io.maml4j.eval;

import io.maml4j.env.Task;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.work.BatchCollector;

/**
 * What the evaluation protocol records for a task after each fine-tuning step (higher is
 * better). By default the mean return of the episodes just sampled for the next step, as the
 * references report; a task family with an exact or held-out measure plugs in its own, such as
 * the expected return of a bandit policy or minus the error on a regression task's test points.
 */
@FunctionalInterface
public interface Scorer {
  /**
   * @param params the task's parameters after this step ([1, ...])
   * @param sampled what the protocol sampled with them for the next step
   */
  double score(Policy policy, Params params, Task task, int taskIndex, BatchCollector.Collected sampled);

  /** The mean return of the sampled episodes (supervised: minus the loss on the sampled examples). */
  Scorer SAMPLED = (policy, params, task, index, sampled) -> sampled.score();
}
