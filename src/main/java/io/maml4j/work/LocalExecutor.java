package io.maml4j.work;

import io.maml4j.autodiff.Arena;
import io.maml4j.meta.TaskReply;
import io.maml4j.meta.TaskRequest;
import io.maml4j.meta.TaskWork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/**
 * Units on threads of this process, the default executor. Task i lives on thread i mod n for the
 * whole iteration, because its graph's arrays belong to arenas confined to the thread that made
 * them; each thread answers its tasks in task order. Which thread answers changes no number.
 *
 * <p>Owns {@code threads} threads until {@link #close()}.
 */
public final class LocalExecutor implements TaskExecutor {
  private final UnitFactory factory;
  private final ExecutorService[] threads;
  private boolean busy;

  public LocalExecutor(UnitFactory factory, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.factory = factory;
    this.threads = new ExecutorService[threads];
    for (int i = 0; i < threads; i++) {
      String name = "maml4j-task-" + i;
      this.threads[i] = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, name);
        // Daemon: an executor left open by a failing command does not keep the JVM alive.
        t.setDaemon(true);
        return t;
      });
    }
  }

  @Override
  public int parallelism() {
    return threads.length;
  }

  @Override
  public synchronized Iteration begin(int iteration, int tasks) {
    if (busy) {
      throw new IllegalStateException("an iteration is already open on this executor");
    }
    if (tasks < 1) {
      throw new IllegalArgumentException("need at least one task, got " + tasks);
    }
    busy = true;
    int n = Math.min(threads.length, tasks);
    Arena[] arenas = new Arena[n];
    TaskWork[] units = new TaskWork[tasks];
    try {
      all(n, t -> () -> {
        // One arena per thread holds everything its tasks keep between requests.
        arenas[t] = Arena.open();
        int[] mine = java.util.stream.IntStream.iterate(t, i -> i < tasks, i -> i + n).toArray();
        List<TaskWork> opened = factory.open(iteration, mine);
        for (int j = 0; j < mine.length; j++) {
          units[mine[j]] = opened.get(j);
        }
        return null;
      });
    } catch (RuntimeException | Error e) {
      release(n, tasks, units, arenas);
      throw e;
    }
    return new Iteration() {
      private boolean closed;

      @Override
      public int tasks() {
        return tasks;
      }

      @Override
      public List<TaskReply> send(TaskRequest request) {
        if (closed) {
          throw new IllegalStateException("iteration " + iteration + " is closed");
        }
        TaskReply[] out = new TaskReply[tasks];
        all(n, t -> () -> {
          for (int i = t; i < tasks; i += n) {
            out[i] = units[i].handle(request);
          }
          return null;
        });
        return Arrays.asList(out);
      }

      @Override
      public void close() {
        if (!closed) {
          closed = true;
          release(n, tasks, units, arenas);
        }
      }
    };
  }

  private void release(int n, int tasks, TaskWork[] units, Arena[] arenas) {
    try {
      all(n, t -> () -> {
        // Innermost first: a thread's later units may hold arenas nested in earlier ones.
        int last = t + ((tasks - 1 - t) / n) * n;
        for (int i = last; i >= t; i -= n) {
          if (units[i] != null) {
            units[i].close();
          }
        }
        if (arenas[t] != null) {
          arenas[t].close();
        }
        return null;
      });
    } finally {
      synchronized (this) {
        busy = false;
      }
    }
  }

  private void all(int n, IntFunction<java.util.concurrent.Callable<Void>> body) {
    List<Future<Void>> futures = new ArrayList<>(n);
    for (int t = 0; t < n; t++) {
      futures.add(threads[t].submit(body.apply(t)));
    }
    RuntimeException failure = null;
    Error error = null;
    for (Future<Void> f : futures) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = new IllegalStateException("interrupted during a meta-iteration", e);
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        if (c instanceof RuntimeException re && failure == null) {
          failure = re;
        } else if (c instanceof Error err && error == null) {
          error = err;
        } else if (failure == null) {
          failure = new IllegalStateException(c);
        }
      }
    }
    if (error != null) {
      throw error;
    }
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public void close() {
    for (ExecutorService s : threads) {
      s.shutdownNow();
    }
  }
}
