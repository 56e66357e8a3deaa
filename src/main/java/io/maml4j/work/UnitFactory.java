package io.maml4j.work;

import io.maml4j.meta.TaskWork;

/** Makes the unit of work of one task of one meta-iteration; the same inputs make the same unit. */
@FunctionalInterface
public interface UnitFactory {
  /** Task {@code task} (0-based) of meta-iteration {@code iteration}; cheap, work starts on its first request. */
  TaskWork open(int iteration, int task);

  /**
   * The units of several tasks of one iteration, in the order given, all to be asked and closed on
   * one thread (a factory may compute them together). The default opens each on its own.
   */
  default java.util.List<TaskWork> open(int iteration, int[] tasks) {
    java.util.List<TaskWork> out = new java.util.ArrayList<>(tasks.length);
    for (int t : tasks) {
      out.add(open(iteration, t));
    }
    return out;
  }
}
