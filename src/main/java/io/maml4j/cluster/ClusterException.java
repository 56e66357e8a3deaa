package io.maml4j.cluster;

/** The cluster cannot go on with a run (no member left to run its tasks); the message is one line. */
public final class ClusterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ClusterException(String message) {
    super(message);
  }
}
