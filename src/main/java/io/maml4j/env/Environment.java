package io.maml4j.env;

/**
 * One live instance of a task's MDP. Mutable: it holds the current state. Observations and
 * actions are flat arrays in the layout of their {@link Space}; a discrete action is a single
 * index.
 *
 * <p>Lifecycle: {@link #reset(long)}, then {@link #step(double[])} until a result is done, then
 * reset again; {@link #close()} releases native or remote resources.
 */
public interface Environment extends AutoCloseable {
  Space observationSpace();

  Space actionSpace();

  /** Starts a new episode from the task's initial-state distribution q(x1), seeded. */
  double[] reset(long seed);

  /** Applies an action, drawing x_{t+1} from q(x_{t+1} | x_t, a_t), and returns the loss as -reward. */
  StepResult step(double[] action);

  @Override
  default void close() {}
}
