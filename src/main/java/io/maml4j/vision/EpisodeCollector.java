package io.maml4j.vision;

import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Task;
import io.maml4j.meta.Batch;
import io.maml4j.meta.TaskLoss;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.sampler.Examples;
import io.maml4j.work.BatchCollector;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.WeakHashMap;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The data step of N-way K-shot classification: a task's support set for the inner step and its
 * query set, with no image in both, for the outer loss (Finn et al. 2017, Section 5.2: the
 * meta-objective is the loss of the adapted model on new examples of the same classes).
 *
 * <p>Meta-training collects a task twice from the same stream: before adaptation (the data the
 * inner step fits) and after it (the data the outer loss is taken on). The first collect of a
 * stream draws the whole {@link FewShotClassification#episode} and returns its K support images
 * per class; the next collect of that stream returns the Q query images the same draw put aside,
 * so the two sets are disjoint. Evaluation collects once per task (the data does not depend on
 * the parameters) and reads the query set through {@link #query} for its score.
 *
 * <p>Thread-safe: the pending query sets are kept per stream and per support batch in
 * synchronized weak maps. Those keys compare by identity ({@link SplittableRandom} and {@link
 * Tensor} keep {@link Object#equals}), so an entry belongs to one stream or batch and disappears
 * with it; the maps are a pairing of calls, not a cache of data.
 */
public final class EpisodeCollector implements BatchCollector {
  private final FewShotClassification distribution;
  private final TaskLoss loss;
  private final DataType type;
  private final Map<SplittableRandom, Examples> pendingByStream = Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<Tensor, Examples> queryBySupport = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * @param distribution the tasks, their K shots and Q queries per class
   * @param loss scores a batch: minus its loss is the collect's score, as for every supervised task
   */
  public EpisodeCollector(FewShotClassification distribution, TaskLoss loss, DataType type) {
    this.distribution = distribution;
    this.loss = loss;
    this.type = type;
  }

  /** The distribution whose episodes this collects. */
  public FewShotClassification distribution() {
    return distribution;
  }

  /**
   * Per task, the support set of a fresh episode, or the query set of the episode the task's
   * stream drew on its previous collect.
   */
  @Override
  public Collected collect(Policy policy, Params params, List<Task> tasks, List<SplittableRandom> rngs) {
    if (tasks.size() != rngs.size()) {
      throw new IllegalArgumentException("need one stream per task, got " + rngs.size() + " for " + tasks.size());
    }
    int n = tasks.size();
    List<Examples> parts = new ArrayList<>(n);
    List<Examples> queries = new ArrayList<>(n);
    for (int t = 0; t < n; t++) {
      SplittableRandom rng = rngs.get(t);
      Examples pending = pendingByStream.remove(rng);
      if (pending != null && pending.tasks().get(0).equals(tasks.get(t))) {
        parts.add(pending);
        queries.add(null);
      } else {
        FewShotClassification.Episode e = distribution.episode(List.of(tasks.get(t)), rng);
        pendingByStream.put(rng, e.query());
        parts.add(e.support());
        queries.add(e.query());
      }
    }
    // Every part of one call is a support set or every part a query set (one phase per call),
    // so the rows per task agree; a mix would be a caller pairing streams wrongly.
    int per = parts.get(0).perTask();
    for (Examples e : parts) {
      if (e.perTask() != per) {
        throw new IllegalStateException(distribution.name() + ": one collect mixed support sets (" + distribution.ways()
            + " x " + distribution.shots() + ") and query sets (" + distribution.ways() + " x " + distribution.queries()
            + "); collect a meta-batch's tasks together before and after adaptation");
      }
    }
    Batch b = Batch.supervised(concat(parts), type);
    if (n == 1 && queries.get(0) != null) {
      queryBySupport.put(b.observations(), queries.get(0));
    }
    double[] scores = new double[n];
    long[] steps = new long[n];
    try (Tape.Scope ng = Tape.noGrad()) {
      for (int t = 0; t < n; t++) {
        int at = t;
        Params p = n == 1 ? params : params.map(x -> x.slice(at, at + 1));
        scores[t] = -loss.apply(policy, p, b.task(t)).item();
        steps[t] = per;
      }
    }
    return new Collected(b, scores, steps);
  }

  /**
   * The query set of a one-task support batch this collector returned: the images of the same
   * draw that the support set does not hold.
   *
   * @throws IllegalArgumentException when {@code support} is not such a batch
   */
  public Batch query(Collected support) {
    Examples q = queryBySupport.get(support.batch().observations());
    if (q == null) {
      throw new IllegalArgumentException(distribution.name() + ": no query set for this batch; it is not a one-task"
          + " support set of this collector");
    }
    return Batch.supervised(q, type);
  }

  private static Examples concat(List<Examples> parts) {
    if (parts.size() == 1) {
      return parts.get(0);
    }
    Examples first = parts.get(0);
    List<Task> tasks = new ArrayList<>();
    int rows = 0;
    for (Examples e : parts) {
      tasks.addAll(e.tasks());
      rows += e.perTask();
    }
    double[] x = new double[rows * first.inputDim()];
    double[] y = new double[rows * first.targetDim()];
    int xi = 0;
    int yi = 0;
    for (Examples e : parts) {
      double[] ex = e.inputs();
      double[] ey = e.targets();
      System.arraycopy(ex, 0, x, xi, ex.length);
      System.arraycopy(ey, 0, y, yi, ey.length);
      xi += ex.length;
      yi += ey.length;
    }
    return new Examples(tasks, first.perTask(), first.inputDim(), first.targetDim(), x, y);
  }

  /** The images do not depend on the parameters: evaluation draws a task's episode once. */
  @Override
  public boolean dependsOnParams() {
    return false;
  }
}
