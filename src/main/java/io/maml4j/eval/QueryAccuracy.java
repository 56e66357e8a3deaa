package io.maml4j.eval;

import io.maml4j.autodiff.Tape;
import io.maml4j.env.Task;
import io.maml4j.meta.Losses;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.vision.EpisodeCollector;
import io.maml4j.work.BatchCollector;

/**
 * The score of few-shot classification (Finn et al. 2017, Section 5.2): the fraction of a task's
 * query images that the fine-tuned network labels correctly, the query set being the images of
 * the task's episode that the support set it fine-tunes on does not hold. Batch norm uses the
 * query batch's statistics, as in training.
 */
public final class QueryAccuracy implements Scorer {
  private final EpisodeCollector episodes;

  /** @param episodes the collector whose support batches the protocol fine-tunes on */
  public QueryAccuracy(EpisodeCollector episodes) {
    this.episodes = episodes;
  }

  @Override
  public double score(Policy policy, Params params, Task task, int taskIndex, BatchCollector.Collected sampled) {
    try (Tape.Scope ng = Tape.noGrad()) {
      return Losses.accuracy(policy, params, episodes.query(sampled));
    }
  }
}
