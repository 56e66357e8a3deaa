package io.maml4j.work;

import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.meta.Adaptation;
import io.maml4j.meta.MetaLearner;
import io.maml4j.meta.TaskReply;
import io.maml4j.meta.TaskRequest;
import io.maml4j.meta.TaskWork;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The units of meta-training (Finn et al. 2017, Algorithm 3 lines 3-8 for one task): on the
 * first request of an iteration a unit draws the iteration's tasks, takes its own, samples its
 * pre-adaptation batch with the θ the request carries, adapts once through the learner's inner
 * loop (keeping the graph the meta-gradient needs), samples its post-adaptation batch with the
 * adapted parameters and hands both to the learner's {@link TaskWork}, which answers this and
 * every later request of the iteration.
 */
public final class TrainingUnits implements UnitFactory {
  private final TaskDistribution distribution;
  private final Policy policy;
  private final MetaLearner learner;
  private final BatchCollector collector;
  private final long seed;
  private final int metaBatchSize;
  private final Params template;

  /**
   * @param template parameters with the policy's names, shapes and dtype (their values are unused)
   */
  public TrainingUnits(TaskDistribution distribution, Policy policy, MetaLearner learner, BatchCollector collector,
      long seed, int metaBatchSize, Params template) {
    if (metaBatchSize < 1) {
      throw new IllegalArgumentException("meta_batch_size must be at least 1, got " + metaBatchSize);
    }
    this.distribution = distribution;
    this.policy = policy;
    this.learner = learner;
    this.collector = collector;
    this.seed = seed;
    this.metaBatchSize = metaBatchSize;
    this.template = template;
  }

  @Override
  public TaskWork open(int iteration, int task) {
    return open(iteration, new int[] {task}).get(0);
  }

  /**
   * The units of {@code tasks}: with a learner that {@linkplain MetaLearner#batchesTasks() batches
   * tasks}, one group that samples, adapts and answers them together; otherwise one unit each.
   * Either way a task's replies are those it would give alone.
   */
  @Override
  public List<TaskWork> open(int iteration, int[] tasks) {
    for (int t : tasks) {
      if (t < 0 || t >= metaBatchSize) {
        throw new IllegalArgumentException("task " + t + " outside the meta-batch of " + metaBatchSize);
      }
    }
    if (learner.batchesTasks()) {
      return new Group(iteration, tasks.clone()).units();
    }
    List<TaskWork> out = new ArrayList<>(tasks.length);
    for (int t : tasks) {
      out.add(new Group(iteration, new int[] {t}).units().get(0));
    }
    return out;
  }

  /**
   * Tasks of one iteration sampled and adapted together; each task's stream, copy of θ and
   * tensor slices are its own.
   */
  private final class Group {
    private final int iteration;
    private final int[] indices;
    private List<TaskWork> works;
    private TaskReply.TaskData[] data;

    Group(int iteration, int[] indices) {
      this.iteration = iteration;
      this.indices = indices;
    }

    List<TaskWork> units() {
      List<TaskWork> out = new ArrayList<>(indices.length);
      for (int j = 0; j < indices.length; j++) {
        int task = j;
        out.add(new TaskWork() {
          private boolean first = true;

          @Override
          public TaskReply handle(TaskRequest request) {
            if (works == null) {
              start(request);
            }
            TaskReply r = works.get(task).handle(request);
            if (first) {
              first = false;
              return r.withData(data[task]);
            }
            return r;
          }

          @Override
          public void close() {
            if (works != null) {
              works.get(task).close();
            }
          }
        });
      }
      return out;
    }

    private void start(TaskRequest request) {
      int g = indices.length;
      List<Task> all = distribution.sample(metaBatchSize, Seeds.iteration(seed, iteration));
      List<Task> tasks = new ArrayList<>(g);
      List<SplittableRandom> rngs = new ArrayList<>(g);
      for (int i : indices) {
        tasks.add(all.get(i));
        rngs.add(Seeds.task(seed, iteration, i));
      }
      Params theta = template.withFlat(request.vector(), template.list().get(0).dataType());
      // Every task samples with its own copy of θ, so that its forward passes are its own slices.
      Params copies = theta.repeatPerTask(g).detach();
      long t0 = System.nanoTime();
      BatchCollector.Collected pre = collector.collect(policy, copies, tasks, rngs);
      long t1 = System.nanoTime();
      Params vars = learner.batchesTasks() ? copies.asVariables() : theta.asVariables();
      Params start = learner.batchesTasks() ? vars : vars.repeatPerTask(1);
      Adaptation a = learner.adaptForWork(start, pre.batch());
      long t2 = System.nanoTime();
      BatchCollector.Collected post = pre;
      if (learner.innerLoop().steps() > 0 || !collector.dependsOnParams()) {
        post = collector.collect(policy, a.params().detach(), tasks, rngs);
      }
      long t3 = System.nanoTime();
      works = learner.batchesTasks() ? learner.taskWorks(vars, a, pre.batch(), post.batch())
          : List.of(learner.taskWork(vars, a, pre.batch(), post.batch()));
      data = new TaskReply.TaskData[g];
      for (int j = 0; j < g; j++) {
        long steps = pre.steps()[j] + (post == pre ? 0 : post.steps()[j]);
        data[j] = new TaskReply.TaskData(pre.scores()[j], post.scores()[j], steps,
            ((t1 - t0) + (t3 - t2)) / 1e9 / g, (t2 - t1) / 1e9 / g);
      }
    }
  }
}
