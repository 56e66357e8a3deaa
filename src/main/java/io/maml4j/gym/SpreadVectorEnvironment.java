package io.maml4j.gym;

import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.VectorEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Instances spread over several Gym HTTP servers: instance {@code i} lives on server {@code i mod
 * S}, at position {@code i / S} of that server's part. Each part is one server's vector
 * environment (batched when the server offers the extension), so a reset or a step is one call
 * per server; the S calls go out together, so a step costs the slowest server's round trip
 * rather than the sum. The placement is a fixed function of the index and every instance is
 * reset with its own seed, so the numbers are those of a single server.
 */
final class SpreadVectorEnvironment implements VectorEnvironment {
  /**
   * Threads that wait on the other servers' replies while the caller waits on the first. Daemon
   * and cached: they only block on sockets, and a program that forgets close() still exits.
   */
  private static final ExecutorService CALLS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "gym-http-spread");
    t.setDaemon(true);
    return t;
  });

  private final List<VectorEnvironment> parts;
  private final int size;
  private boolean closed;

  private SpreadVectorEnvironment(List<VectorEnvironment> parts, int size) {
    this.parts = List.copyOf(parts);
    this.size = size;
  }

  /**
   * Opens {@code count} instances over the servers, part {@code s} holding the instances
   * {@code s, s + S, s + 2S, ...}; {@code open.apply(s)} opens server {@code s}'s part with that
   * many instances in that order. All or none: if one server fails, the parts already open are
   * closed and the failure of the lowest-numbered server is thrown (the others suppressed).
   */
  static VectorEnvironment open(int servers, int count, IntFunction<VectorEnvironment> open) {
    int used = Math.min(servers, count);
    List<Object> results = all(used, open::apply);
    List<VectorEnvironment> parts = new ArrayList<>(used);
    RuntimeException failure = null;
    for (Object r : results) {
      if (r instanceof VectorEnvironment v) {
        parts.add(v);
      } else if (failure == null) {
        failure = (RuntimeException) r;
      } else {
        failure.addSuppressed((RuntimeException) r);
      }
    }
    if (failure != null) {
      for (VectorEnvironment v : parts) {
        try {
          v.close();
        } catch (RuntimeException e) {
          failure.addSuppressed(e);
        }
      }
      throw failure;
    }
    return new SpreadVectorEnvironment(parts, count);
  }

  /** The number of instances part {@code s} of {@code servers} holds when {@code count} are spread. */
  static int partSize(int count, int servers, int s) {
    return count / servers + (s < count % servers ? 1 : 0);
  }

  /** The parts, one per server used, in server order. */
  List<VectorEnvironment> parts() {
    return parts;
  }

  @Override
  public int size() {
    return size;
  }

  @Override
  public Space observationSpace() {
    return parts.get(0).observationSpace();
  }

  @Override
  public Space actionSpace() {
    return parts.get(0).actionSpace();
  }

  @Override
  public double[][] reset(long[] seeds) {
    checkLength(seeds.length, "seeds");
    int s = parts.size();
    List<double[][]> replies = rethrow(all(s, p -> {
      long[] mine = new long[partSize(size, s, p)];
      for (int j = 0; j < mine.length; j++) {
        mine[j] = seeds[p + j * s];
      }
      return parts.get(p).reset(mine);
    }));
    double[][] out = new double[size][];
    for (int p = 0; p < s; p++) {
      double[][] r = replies.get(p);
      for (int j = 0; j < r.length; j++) {
        out[p + j * s] = r[j];
      }
    }
    return out;
  }

  @Override
  public StepResult[] step(double[][] actions, boolean[] active) {
    checkLength(actions.length, "actions");
    checkLength(active.length, "active flags");
    int s = parts.size();
    List<StepResult[]> replies = rethrow(all(s, p -> {
      int n = partSize(size, s, p);
      double[][] a = new double[n][];
      boolean[] live = new boolean[n];
      boolean any = false;
      for (int j = 0; j < n; j++) {
        a[j] = actions[p + j * s];
        live[j] = active[p + j * s];
        any |= live[j];
      }
      // A server none of whose instances is still running gets no call at all.
      return any ? parts.get(p).step(a, live) : new StepResult[n];
    }));
    StepResult[] out = new StepResult[size];
    for (int p = 0; p < s; p++) {
      StepResult[] r = replies.get(p);
      for (int j = 0; j < r.length; j++) {
        out[p + j * s] = r[j];
      }
    }
    return out;
  }

  /** Closes every server's part (one call each, together); later calls do nothing. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      rethrow(all(parts.size(), p -> {
        parts.get(p).close();
        return Boolean.TRUE;
      }));
    }
  }

  private void checkLength(int got, String what) {
    if (got != size) {
      throw new IllegalArgumentException("need one entry per instance (" + size + "), got " + got + " " + what);
    }
  }

  /**
   * Runs {@code call} for parts 0..n-1 at once (part 0 on the calling thread) and returns, per
   * part, its result or the RuntimeException it threw. Errors propagate as they are.
   */
  private static List<Object> all(int n, IntFunction<Object> call) {
    List<Future<Object>> futures = new ArrayList<>(n);
    for (int p = 1; p < n; p++) {
      int part = p;
      futures.add(CALLS.submit(() -> call.apply(part)));
    }
    List<Object> out = new ArrayList<>(n);
    try {
      out.add(call.apply(0));
    } catch (RuntimeException e) {
      out.add(e);
    }
    boolean interrupted = false;
    for (Future<Object> f : futures) {
      while (true) {
        try {
          out.add(f.get());
          break;
        } catch (InterruptedException e) {
          // The other calls hold sockets and will end by their own timeout; wait for them so no
          // part is left half-stepped, and keep the interrupt for the caller.
          interrupted = true;
        } catch (ExecutionException e) {
          Throwable c = e.getCause();
          if (c instanceof RuntimeException r) {
            out.add(r);
          } else if (c instanceof Error err) {
            throw err;
          } else {
            out.add(new IllegalStateException(c));
          }
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  /** The results in part order, or the lowest-numbered part's failure with the others suppressed. */
  @SuppressWarnings("unchecked")
  private static <T> List<T> rethrow(List<Object> results) {
    RuntimeException failure = null;
    for (Object r : results) {
      if (r instanceof RuntimeException e) {
        if (failure == null) {
          failure = e;
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    List<T> out = new ArrayList<>(results.size());
    for (Object r : results) {
      out.add((T) r);
    }
    return out;
  }
}
