package io.maml4j.work;

import io.maml4j.meta.TaskChannel;

/**
 * Runs the units of a meta-iteration. Each task's unit is opened, asked and closed by one owner
 * (a thread, or a cluster member) for the whole iteration; {@link Iteration#send} returns every
 * task's reply in task order, so a meta-step that reduces them in that order computes the same
 * numbers on any executor.
 *
 * <p>Executors own threads (and possibly network resources) and must be closed.
 */
public interface TaskExecutor extends AutoCloseable {
  /** Opens the units of tasks 0 .. tasks-1 of meta-iteration {@code iteration}. */
  Iteration begin(int iteration, int tasks);

  /** How many tasks are answered at the same time, for reporting time shares. */
  int parallelism();

  @Override
  void close();

  /** The open units of one meta-iteration; closing frees what they hold. */
  interface Iteration extends TaskChannel, AutoCloseable {
    @Override
    void close();
  }
}
