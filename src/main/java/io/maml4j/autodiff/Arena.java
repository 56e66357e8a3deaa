package io.maml4j.autodiff;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
  private static final java.util.concurrent.atomic.AtomicLong LIVE = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicLong PEAK = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicLong POOLED = new java.util.concurrent.atomic.AtomicLong();

  /** Diagnostics: bytes of arena arrays alive now, at peak, and held for reuse. */
  public static String memoryReport() {
    return String.format("arena arrays %d MB live, %d MB peak, %d MB pooled", LIVE.get() >> 20, PEAK.get() >> 20,
        POOLED.get() >> 20);
  }

  private static final ThreadLocal<BufferPool> POOL = ThreadLocal.withInitial(BufferPool::new);

  /**
   * Released buffers kept for reuse, per thread. Freeing and re-allocating the same large
   * buffers every conjugate-gradient iteration otherwise either fragments glibc's heap (resident
   * memory grows without bound) or, with mmap-backed allocators, pays page faults on every
   * allocation; ND4J workspaces do not fit a tape whose scopes nest and escape.
   */
  private static final class BufferPool {
    private static final long MAX_BYTES = Long.getLong("maml4j.pool.bytes", 1L << 30);
    private final java.util.Map<String, java.util.ArrayDeque<DataBuffer>> free = new java.util.HashMap<>();
    private long bytes;

    DataBuffer take(DataType type, long length) {
      java.util.ArrayDeque<DataBuffer> q = free.get(type + ":" + length);
      if (q == null || q.isEmpty()) {
        return null;
      }
      DataBuffer b = q.pop();
      bytes -= length * type.width();
      POOLED.addAndGet(-length * type.width());
      return b;
    }

    boolean give(DataBuffer b) {
      long size = b.length() * b.dataType().width();
      if (bytes + size > MAX_BYTES || b.length() < 4096) {
        return false;
      }
      free.computeIfAbsent(b.dataType() + ":" + b.length(), k -> new java.util.ArrayDeque<>()).push(b);

      bytes += size;
      POOLED.addAndGet(size);
      return true;
    }
  }

  private final Arena parent;
  private final List<INDArray> owned = new ArrayList<>();
  // Allocated through allocate(): their buffers go back to the pool, the others are freed.
  private final List<INDArray> pooled = new ArrayList<>();
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
    return owned.size() + pooled.size();
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

  /**
   * Allocates an uninitialised array owned by the current arena, reusing a buffer of the same
   * size that an earlier arena on this thread released.
   */
  static INDArray allocate(DataType type, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    DataBuffer buf = POOL.get().take(type, n);
    long bytes = n * type.width();
    long live = LIVE.addAndGet(bytes);
    PEAK.accumulateAndGet(live, Math::max);
    INDArray a = buf != null ? Nd4j.create(buf, shape, Nd4j.getStrides(shape, 'c'), 0, 'c', type)
        : Nd4j.createUninitialized(type, shape);
    Arena cur = CURRENT.get();
    if (cur != null) {
      cur.pooled.add(a);
    }
    return a;
  }

  /**
   * Gives {@code t}'s buffer back to this thread's pool now rather than when its arena closes,
   * when the current arena allocated it (else does nothing); the next allocation of that size
   * takes it first. A structured curvature product makes about ten arrays of [tasks, rows, 64]
   * floats (5 MB each at 10 tasks of 2,000 rows) that each live for one or two steps; released
   * as they die, a product holds a few at a time, and the default 2D-navigation bench's arena
   * peak fell from 344-364 to 307 MB (its speed, hoped to gain from buffers still in cache, did
   * not change beyond the noise). The caller promises that nothing reads {@code t}, or a view of
   * it, afterwards.
   */
  public static void release(Tensor t) {
    Arena cur = CURRENT.get();
    if (t == null || cur == null) {
      return;
    }
    INDArray a = t.value();
    java.util.List<INDArray> list = cur.pooled;
    for (int i = list.size() - 1; i >= 0; i--) {
      if (list.get(i) == a) {
        list.remove(i);
        giveBack(a, POOL.get());
        return;
      }
    }
  }

  /** An allocated array's buffer back to the pool, or freed when the pool is full. */
  private static void giveBack(INDArray a, BufferPool pool) {
    LIVE.addAndGet(-a.length() * a.dataType().width());
    if (!pool.give(a.data())) {
      a.close();
    }
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
    BufferPool pool = POOL.get();
    for (INDArray a : pooled) {
      giveBack(a, pool);
    }
    for (INDArray a : owned) {
      // Views share their base's buffer and cannot be released on their own.
      if (!a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
    pooled.clear();
    owned.clear();
    CURRENT.set(parent);
    if (parent == null) {
      collectNow();
    }
  }

  private static final java.util.concurrent.atomic.AtomicLong LAST_COLLECTION =
      new java.util.concurrent.atomic.AtomicLong(System.nanoTime());

  /**
   * ND4J frees the native memory of arrays created outside arenas (inside ND4J's own ops, escaped
   * parameters) only when their small Java handles are collected, and the Java heap barely fills,
   * so without a collection resident memory grew by ~150 MB per 2D-navigation iteration. A
   * collection of the tiny heap costs tens of milliseconds, so closing an outermost arena (the
   * end of a unit of work such as a meta-iteration) asks for one at most once a second.
   */
  private static void collectNow() {
    long now = System.nanoTime();
    long last = LAST_COLLECTION.get();
    if (now - last > 1_000_000_000L && LAST_COLLECTION.compareAndSet(last, now)) {
      System.gc();
    }
  }
}
