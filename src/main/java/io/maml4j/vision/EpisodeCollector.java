package io.maml4j.vision;

import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Task;
import io.maml4j.meta.Batch;
import io.maml4j.meta.TaskLoss;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.sampler.Examples;
import io.maml4j.work.BatchCollector;
import io.maml4j.work.ExampleCollector;
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
 * <p>The data step's lifecycle, per task stream (training hands a task's two collects the same
 * {@link SplittableRandom}, {@link io.maml4j.work.TrainingUnits} before and after adaptation):
 * <ol>
 *   <li>the first collect on a stream draws the whole {@link FewShotClassification#episode} and
 *       returns its K support images per class, keeping the Q query images aside;
 *   <li>the second collect on that stream, which must be for the same task, returns those query
 *       images, so the two sets are disjoint;
 *   <li>a further collect on the stream, or a second collect for another task, is a caller's
 *       mistake and throws one {@link IllegalStateException} saying which, rather than silently
 *       drawing a new episode whose support set would stand in for a query set.
 * </ol>
 * Evaluation collects once per task (the data does not depend on the parameters) and reads the
 * query set through {@link #query}, as often as it scores.
 *
 * <p>Thread-safe: each stream's place in that lifecycle, and the query set of each one-task
 * support batch, are kept in synchronized weak maps. Those keys compare by identity ({@link
 * SplittableRandom} and {@link Tensor} keep {@link Object#equals}), so an entry belongs to one
 * stream or batch and disappears with it; the maps are a pairing of calls, not a cache of data.
 */
public final class EpisodeCollector implements BatchCollector {
  private final FewShotClassification distribution;
  private final TaskLoss loss;
  private final DataType type;
  private final Map<SplittableRandom, Stream> streams = Collections.synchronizedMap(new WeakHashMap<>());
  private final Map<Tensor, Examples> queryBySupport = Collections.synchronizedMap(new WeakHashMap<>());

  /**
   * Where a task stream is in its episode: support handed out and the query set pending for its
   * task ({@code query} non-null), or both handed out.
   */
  private record Stream(Task task, Examples query) {}

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
      Task task = tasks.get(t);
      Stream state = streams.get(rng);
      if (state == null) {
        FewShotClassification.Episode e = distribution.episode(List.of(task), rng);
        streams.put(rng, new Stream(task, e.query()));
        parts.add(e.support());
        queries.add(e.query());
      } else if (state.query() == null) {
        throw new IllegalStateException(distribution.name() + ": collect " + t + "'s stream has already given its"
            + " support set and its query set; a task's stream is collected twice, support before adaptation and"
            + " then query, and a new episode needs a new stream");
      } else if (!state.task().equals(task)) {
        throw new IllegalStateException(distribution.name() + ": collect " + t + "'s stream drew its support set"
            + " for task " + state.task().params() + ", so its next collect is that task's query set, got task "
            + task.params());
      } else {
        streams.put(rng, new Stream(task, null));
        parts.add(state.query());
        queries.add(null);
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
    return ExampleCollector.scored(policy, params, loss, b, per);
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
