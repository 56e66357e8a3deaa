package io.maml4j.env;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A {@link VectorEnvironment} over in-process environments that steps them on several threads:
 * thread j of n handles the instances i with i mod n = j, the calling thread being thread 0.
 *
 * <p>Each instance is touched by one thread at a time and results are stored by index, so
 * trajectories are the same for every thread count, provided the environments share no mutable
 * state (as {@link TaskDistribution#make} promises). An instance may run on different threads in
 * successive calls; the hand-over through the executor orders its memory accesses.
 *
 * <p>Helper threads come from one process-wide pool of daemon threads, created on demand.
 */
public final class ThreadedVectorEnvironment implements VectorEnvironment {
  private static final AtomicInteger THREAD_NUMBER = new AtomicInteger();
  private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "maml4j-env-" + THREAD_NUMBER.incrementAndGet());
    t.setDaemon(true);
    return t;
  });

  private final List<Environment> envs;
  private final int threads;

  /**
   * Steps {@code envs} on {@code threads} threads (1 steps them in the caller, like {@link
   * VectorEnvironment#of}); this object closes them.
   */
  public ThreadedVectorEnvironment(List<Environment> envs, int threads) {
    if (envs.isEmpty()) {
      throw new IllegalArgumentException("a vector environment needs at least one environment");
    }
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.envs = List.copyOf(envs);
    this.threads = Math.min(threads, this.envs.size());
  }

  /** Threads used per call (at most the number of instances). */
  public int threads() {
    return threads;
  }

  @Override
  public int size() {
    return envs.size();
  }

  @Override
  public Space observationSpace() {
    return envs.get(0).observationSpace();
  }

  @Override
  public Space actionSpace() {
    return envs.get(0).actionSpace();
  }

  @Override
  public double[][] reset(long[] seeds) {
    if (seeds.length != envs.size()) {
      throw new IllegalArgumentException("need one seed per instance (" + envs.size() + "), got " + seeds.length);
    }
    double[][] out = new double[envs.size()][];
    forEach(i -> out[i] = envs.get(i).reset(seeds[i]));
    return out;
  }

  @Override
  public StepResult[] step(double[][] actions, boolean[] active) {
    if (actions.length != envs.size() || active.length != envs.size()) {
      throw new IllegalArgumentException("need one action and one active flag per instance (" + envs.size()
          + "), got " + actions.length + " and " + active.length);
    }
    StepResult[] out = new StepResult[envs.size()];
    forEach(i -> {
      if (active[i]) {
        out[i] = envs.get(i).step(actions[i]);
      }
    });
    return out;
  }

  /**
   * Runs {@code body} for every index, spread over the threads; rethrows the failure of the
   * lowest-numbered failing thread after all have finished.
   */
  private void forEach(IntConsumer body) {
    int n = envs.size();
    if (threads == 1) {
      for (int i = 0; i < n; i++) {
        body.accept(i);
      }
      return;
    }
    List<Future<?>> helpers = new ArrayList<>(threads - 1);
    for (int j = 1; j < threads; j++) {
      int start = j;
      helpers.add(HELPERS.submit(() -> {
        for (int i = start; i < n; i += threads) {
          body.accept(i);
        }
      }));
    }
    Throwable failure = null;
    try {
      for (int i = 0; i < n; i += threads) {
        body.accept(i);
      }
    } catch (RuntimeException | Error e) {
      failure = e;
    }
    boolean interrupted = false;
    for (Future<?> f : helpers) {
      while (true) {
        try {
          f.get();
          break;
        } catch (InterruptedException e) {
          // Helpers still touch the environments: wait for them, then restore the flag.
          interrupted = true;
        } catch (ExecutionException e) {
          if (failure == null) {
            failure = e.getCause();
          }
          break;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    if (failure instanceof RuntimeException r) {
      throw r;
    }
    if (failure instanceof Error err) {
      throw err;
    }
    if (failure != null) {
      throw new IllegalStateException("environment step failed", failure);
    }
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (Environment e : envs) {
      try {
        e.close();
      } catch (RuntimeException ex) {
        if (first == null) {
          first = ex;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
