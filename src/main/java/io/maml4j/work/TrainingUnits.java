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
    if (task < 0 || task >= metaBatchSize) {
      throw new IllegalArgumentException("task " + task + " outside the meta-batch of " + metaBatchSize);
    }
    return new Unit(iteration, task);
  }

  private final class Unit implements TaskWork {
    private final int iteration;
    private final int index;
    private TaskWork work;

    Unit(int iteration, int index) {
      this.iteration = iteration;
      this.index = index;
    }

    @Override
    public TaskReply handle(TaskRequest request) {
      if (work != null) {
        return work.handle(request);
      }
      List<Task> tasks = distribution.sample(metaBatchSize, Seeds.iteration(seed, iteration));
      Task task = tasks.get(index);
      SplittableRandom rng = Seeds.task(seed, iteration, index);
      Params theta = template.withFlat(request.vector(), template.list().get(0).dataType());
      long t0 = System.nanoTime();
      BatchCollector.Collected pre = collector.collect(policy, theta, task, rng);
      long t1 = System.nanoTime();
      Params vars = theta.asVariables();
      Adaptation a = learner.innerLoop().adapt(vars.repeatPerTask(1), pre.batch(), learner.secondOrder());
      long t2 = System.nanoTime();
      BatchCollector.Collected post = pre;
      if (learner.innerLoop().steps() > 0 || !collector.dependsOnParams()) {
        post = collector.collect(policy, a.params().detach(), task, rng);
      }
      long t3 = System.nanoTime();
      work = learner.taskWork(vars, a, pre.batch(), post.batch());
      long steps = pre.steps() + (post == pre ? 0 : post.steps());
      return work.handle(request).withData(new TaskReply.TaskData(pre.score(), post.score(), steps,
          ((t1 - t0) + (t3 - t2)) / 1e9, (t2 - t1) / 1e9));
    }

    @Override
    public void close() {
      if (work != null) {
        work.close();
      }
    }
  }
}
