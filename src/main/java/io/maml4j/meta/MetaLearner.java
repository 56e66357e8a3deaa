package io.maml4j.meta;

import io.maml4j.autodiff.Arena;
import io.maml4j.policy.Params;
import java.util.ArrayList;
import java.util.List;

/**
 * A meta-optimiser in two halves: the per-task {@link TaskWork} (everything a meta-step does for
 * one task, run wherever the task lives) and the meta-step that sends it requests and reduces the
 * replies in task order (Finn et al. 2017, Algorithm 3 line 10). It never sees environments:
 * whoever owns a task samples its data and hands the batches to {@link #taskWork}.
 */
public interface MetaLearner {
  /** The adaptation this learner meta-trains; post-adaptation data is sampled with its result. */
  InnerLoop innerLoop();

  /** Whether the meta-gradient flows through the inner gradients (second-order MAML). */
  boolean secondOrder();

  /** What the adaptation handed to {@link #taskWork} keeps of the inner loop's computation. */
  enum AdaptationRecord {
    /** The inner gradients' graph: the meta-gradient differentiates through them on the tape. */
    GRAPH,
    /** θ' linked to θ with identity Jacobian and no graph of the gradients (first-order MAML). */
    LINKED,
    /**
     * Values only (θ', step inputs, inner gradients as constants): the learner takes its
     * derivatives through the inner step from them, and nothing of the passes is kept.
     */
    VALUES
  }

  /** Refuses batches of other than one task, for {@link #taskWork}. */
  static void requireOneTask(Batch train, Batch valid) {
    if (train.tasks() != 1 || valid.tasks() != 1) {
      throw new IllegalArgumentException("a task's work takes one task's batches, got " + train.tasks() + " and "
          + valid.tasks());
    }
  }

  /** What the adaptation must record; by default a graph when {@link #secondOrder()}. */
  default AdaptationRecord adaptationRecord() {
    return secondOrder() ? AdaptationRecord.GRAPH : AdaptationRecord.LINKED;
  }

  /** The {@link #innerLoop()} from per-task leaves {@code start} on {@code train}, recorded as this learner needs. */
  default Adaptation adaptForWork(Params start, Batch train) {
    return switch (adaptationRecord()) {
      case GRAPH -> innerLoop().adapt(start, train, true);
      case LINKED -> innerLoop().adapt(start, train, false);
      case VALUES -> innerLoop().adaptValues(start, train);
    };
  }

  /**
   * One task's work for one meta-iteration.
   *
   * @param theta θ as leaf variables, the parameters the work differentiates with respect to
   * @param adaptation the task's {@link #innerLoop()} from θ on {@code train}, recorded as {@link
   *     #adaptationRecord()} says (or with a graph: every learner accepts the fuller records)
   * @param train the task's pre-adaptation batch (one task)
   * @param valid the task's post-adaptation batch (one task)
   */
  TaskWork taskWork(Params theta, Adaptation adaptation, Batch train, Batch valid);

  /**
   * Whether {@link #taskWorks} computes the tasks of a batch together. Then a worker holding
   * several tasks samples, adapts and answers them in batched tensor operations; every task's
   * replies are bit-identical to computing it alone, because each task has its own copy of θ and
   * every operation acts on one task's slice (no product or sum mixes tasks).
   */
  default boolean batchesTasks() {
    return false;
  }

  /**
   * The works of the G tasks of one batch, computed together: work j answers for task j.
   *
   * @param theta θ as per-task leaf variables ([G, ...], one copy per task)
   * @param adaptation the inner loop of those copies on {@code train}
   * @param train the tasks' pre-adaptation batch (G tasks)
   * @param valid the tasks' post-adaptation batch (G tasks)
   */
  default List<TaskWork> taskWorks(Params theta, Adaptation adaptation, Batch train, Batch valid) {
    throw new UnsupportedOperationException(getClass().getSimpleName() + " computes tasks one by one");
  }

  /**
   * One meta-update: sends θ to every task in the first request, then whatever the learner needs,
   * reducing replies in task order in float64. The new θ is allocated in the caller's arena.
   */
  StepResult step(Params theta, TaskChannel tasks);

  /**
   * One meta-update on fixed batches of T tasks: one task's work per slice, answered in this
   * thread through the same requests as training. The path every gradient test checks.
   */
  default StepResult step(Params theta, Batch train, Batch valid) {
    List<TaskWork> works = new ArrayList<>(train.tasks());
    try (Arena arena = Arena.open()) {
      if (batchesTasks()) {
        works.addAll(onBatchesTogether(theta, train, valid));
      } else {
        for (int i = 0; i < train.tasks(); i++) {
          works.add(onBatches(theta, train.task(i), valid.task(i)));
        }
      }
      StepResult r = step(theta, TaskChannel.of(works));
      return r.withTheta(r.theta().map(arena::escape));
    } finally {
      for (int i = works.size() - 1; i >= 0; i--) {
        works.get(i).close();
      }
    }
  }

  /**
   * One task's work on fixed batches: on the first request it adapts the θ the request carries
   * and hands the adaptation to {@link #taskWork}.
   */
  default TaskWork onBatches(Params template, Batch train, Batch valid) {
    MetaLearner learner = this;
    return new TaskWork() {
      private TaskWork work;

      @Override
      public TaskReply handle(TaskRequest request) {
        if (work == null) {
          Params vars = template.withFlat(request.vector(), template.list().get(0).dataType()).asVariables();
          Adaptation a = learner.adaptForWork(vars.repeatPerTask(1), train);
          work = learner.taskWork(vars, a, train, valid);
        }
        return work.handle(request);
      }

      @Override
      public void close() {
        if (work != null) {
          work.close();
        }
      }
    };
  }

  /**
   * The works of all tasks of fixed batches computed together, as a worker holding those tasks
   * computes them in training ({@link #batchesTasks()}): on the first request each task's copy of
   * the θ it carries is adapted.
   */
  default List<TaskWork> onBatchesTogether(Params template, Batch train, Batch valid) {
    MetaLearner learner = this;
    int g = train.tasks();
    List<TaskWork> group = new ArrayList<>(g);
    TaskWork[] works = new TaskWork[g];
    for (int j = 0; j < g; j++) {
      int task = j;
      group.add(request -> {
        if (works[0] == null) {
          Params vars = template.withFlat(request.vector(), template.list().get(0).dataType()).repeatPerTask(g)
              .detach().asVariables();
          Adaptation a = learner.adaptForWork(vars, train);
          List<TaskWork> made = learner.taskWorks(vars, a, train, valid);
          for (int i = 0; i < g; i++) {
            works[i] = made.get(i);
          }
        }
        return works[task].handle(request);
      });
    }
    return group;
  }

  /** The outcome of a meta-update; {@code theta} is the new (or unchanged) meta-parameters. */
  record StepResult(Params theta, double lossBefore, double lossAfter, double kl, boolean accepted,
      int lineSearchSteps) {
    /** The same result with other parameters. */
    public StepResult withTheta(Params t) {
      return new StepResult(t, lossBefore, lossAfter, kl, accepted, lineSearchSteps);
    }
  }

  /** The task-order mean of one scalar of every reply, summed in float64. */
  static double mean(List<TaskReply> replies, int index) {
    double s = 0;
    for (TaskReply r : replies) {
      s += r.values()[index];
    }
    return s / replies.size();
  }

  /** The task-order mean of every reply's vector, summed in float64. */
  static double[] meanVector(List<TaskReply> replies) {
    double[] s = new double[replies.get(0).vector().length];
    for (TaskReply r : replies) {
      double[] v = r.vector();
      if (v.length != s.length) {
        throw new IllegalStateException("task replies differ in length: " + v.length + " and " + s.length);
      }
      for (int j = 0; j < s.length; j++) {
        s[j] += v[j];
      }
    }
    for (int j = 0; j < s.length; j++) {
      s[j] /= replies.size();
    }
    return s;
  }
}
