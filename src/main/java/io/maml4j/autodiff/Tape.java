package io.maml4j.autodiff;

/**
 * Whether tensor operations on the current thread record their inputs for backpropagation.
 *
 * <p>Recording is on by default. Sampling and line searches turn it off so that nothing keeps
 * intermediate arrays alive.
 */
public final class Tape {
  private static final ThreadLocal<Boolean> RECORDING = ThreadLocal.withInitial(() -> Boolean.TRUE);

  private Tape() {}

  public static boolean isRecording() {
    return RECORDING.get();
  }

  /** Turns recording off until the returned scope is closed. */
  public static Scope noGrad() {
    return set(false);
  }

  static Scope set(boolean on) {
    boolean before = RECORDING.get();
    RECORDING.set(on);
    return () -> RECORDING.set(before);
  }

  /** Restores the previous recording state on close. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }
}
