package io.maml4j.mujoco;

/**
 * A failure reported by MuJoCo (a model that does not compile, an engine error) or a MuJoCo
 * installation that cannot be used.
 */
public final class MjException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** An exception with MuJoCo's message, prefixed by what was being done. */
  public MjException(String message) {
    super(message);
  }
}
