package io.maml4j.autodiff;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A scope that owns every array created by {@link Tensor} operations while it is open, and
 * frees them all when closed.
 *
 * <p>ND4J arrays live off-heap and are otherwise freed only when the garbage collector notices
 * their small on-heap handles, so memory piles up in hot loops. Arenas nest per thread; a value
 * that must outlive its arena is copied out with {@link #escape(Tensor)}. Outside any arena,
 * arrays are left to the garbage collector.
 *
 * <p>Lifecycle: {@code open()}, create tensors, {@code escape} what must survive, {@code
 * close()}. Arenas are confined to the thread that opened them.
 */
public final class Arena implements AutoCloseable {
  private static final ThreadLocal<Arena> CURRENT = new ThreadLocal<>();

  private final Arena parent;
  private final List<INDArray> owned = new ArrayList<>();
  private final Thread owner = Thread.currentThread();
  private boolean closed;

  private Arena(Arena parent) {
    this.parent = parent;
  }

  /** Opens a new arena nested in the current thread's innermost one. */
  public static Arena open() {
    Arena a = new Arena(CURRENT.get());
    CURRENT.set(a);
    return a;
  }

  /** The innermost open arena of this thread, or null. */
  static Arena current() {
    return CURRENT.get();
  }

  /**
   * Runs {@code body} with {@code owner} as the current arena, so that what it allocates lives
   * as long as {@code owner} (null: the garbage-collected heap) rather than the caller's arena.
   */
  static <T> T within(Arena owner, java.util.function.Supplier<T> body) {
    Arena before = CURRENT.get();
    CURRENT.set(owner);
    try {
      return body.get();
    } finally {
      CURRENT.set(before);
    }
  }

  static INDArray track(INDArray array) {
    Arena a = CURRENT.get();
    if (a != null) {
      a.owned.add(array);
    }
    return array;
  }

  /** Number of arrays this arena currently owns; for tests and diagnostics. */
  public int size() {
    return owned.size();
  }

  /**
   * Copies a tensor's value into the enclosing arena (or the garbage-collected heap if there is
   * none) as a constant, so it survives this arena's close.
   */
  public Tensor escape(Tensor t) {
    return Tensor.constant(escape(t.value()));
  }

  /** Copies an array out of this arena, as {@link #escape(Tensor)} does for tensors. */
  public INDArray escape(INDArray array) {
    INDArray copy = array.dup();
    // dup() inside this arena would be owned by it; hand the copy to the parent instead.
    if (parent != null) {
      parent.owned.add(copy);
    }
    return copy;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    if (Thread.currentThread() != owner) {
      throw new IllegalStateException("arena closed on a different thread than it was opened on");
    }
    if (CURRENT.get() != this) {
      throw new IllegalStateException("arenas must be closed innermost first");
    }
    closed = true;
    for (INDArray a : owned) {
      // Views share their base's buffer and cannot be closed on their own.
      if (!a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
    owned.clear();
    CURRENT.set(parent);
  }
}
