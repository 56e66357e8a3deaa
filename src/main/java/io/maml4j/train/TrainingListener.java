package io.maml4j.train;

import io.maml4j.policy.Params;

/** Receives training events; where all I/O of a run happens. Default methods do nothing. */
public interface TrainingListener {
  /** Called once before the first iteration that will run (after a resume, too). */
  default void onStart(int firstIteration, int lastIteration) {}

  /** Called after each meta-iteration with its metrics and the new meta-parameters. */
  default void onIteration(IterationMetrics metrics, Params theta) {}

  /** Called once after the last iteration. */
  default void onEnd(Params theta) {}
}
