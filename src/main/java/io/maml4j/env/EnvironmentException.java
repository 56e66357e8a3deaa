package io.maml4j.env;

/**
 * An environment broke its contract: a non-finite reward or observation, an observation of the
 * wrong size, or spaces that differ from its task distribution's. The message is one line naming
 * the environment, the task, the episode and the step, and what was expected against what came.
 *
 * <p>It is bad input from the user's point of view (their environment, not maml4j, is at fault),
 * so it extends {@link IllegalArgumentException}, which the command line reports in one line with
 * exit code 2.
 */
public final class EnvironmentException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public EnvironmentException(String message) {
    super(message);
  }
}
