package io.maml4j.meta;

/**
 * One task's share of a meta-step, held by the worker that owns the task for one meta-iteration
 * (Finn et al. 2017, Algorithm 3 lines 5-8 and the task's terms of line 10): its batches, its
 * inner adaptation and whatever graph the meta-learner keeps between requests.
 *
 * <p>A pure function of its inputs: the same task data and the same sequence of requests give the
 * same replies, bit for bit, whichever thread or machine answers. That is what lets a meta-step
 * reduce replies in task order with the same numbers at any worker count, and re-run a lost
 * task elsewhere.
 *
 * <p>Not thread-safe: the owner answers one request at a time, on one thread, and closes the
 * work on that thread.
 */
public interface TaskWork extends AutoCloseable {
  TaskReply handle(TaskRequest request);

  @Override
  default void close() {}
}
