package io.maml4j.autodiff;

/**
 * Whether tensor operations on the current thread record their inputs for backpropagation.
 *
 * <p>Recording is on by default. Sampling and line searches turn it off so that nothing keeps
 * intermediate arrays alive.
 */
public final class Tape {
  private static final ThreadLocal<Boolean> RECORDING = ThreadLocal.withInitial(() -> Boolean.TRUE);
  private static final ThreadLocal<Boolean> FIRST_ORDER = ThreadLocal.withInitial(() -> Boolean.FALSE);

  private Tape() {}

  public static boolean isRecording() {
    return RECORDING.get();
  }

  /** Turns recording off until the returned scope is closed. */
  public static Scope noGrad() {
    return set(false);
  }

  /**
   * Declares, until the returned scope is closed, that what is recorded will only be
   * differentiated once ({@link Grad#grad} with {@code createGraph} false): operations may then
   * record fused nodes whose backward is not itself differentiable, such as an MLP's blocked
   * forward and reverse passes ({@link MlpValues#recorded}). Differentiating such a node with a
   * graph throws.
   */
  public static Scope firstOrder() {
    boolean before = FIRST_ORDER.get();
    FIRST_ORDER.set(true);
    return () -> FIRST_ORDER.set(before);
  }

  /** Whether a {@link #firstOrder} scope is open on this thread. */
  public static boolean isFirstOrder() {
    return FIRST_ORDER.get();
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
