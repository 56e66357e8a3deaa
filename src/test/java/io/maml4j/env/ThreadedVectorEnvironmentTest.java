package io.maml4j.env;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ThreadedVectorEnvironmentTest {
  /** A random walk seeded at reset, recording which threads stepped it. */
  private static final class Walk implements Environment {
    final Set<String> threads = ConcurrentHashMap.newKeySet();
    final int id;
    final AtomicInteger closed;
    java.util.SplittableRandom rng;
    double x;

    Walk(int id, AtomicInteger closed) {
      this.id = id;
      this.closed = closed;
    }

    @Override
    public Space observationSpace() {
      return Box.of(1, -1e9, 1e9);
    }

    @Override
    public Space actionSpace() {
      return Box.of(1, -1, 1);
    }

    @Override
    public double[] reset(long seed) {
      rng = new java.util.SplittableRandom(seed);
      x = id;
      return new double[] {x};
    }

    @Override
    public StepResult step(double[] action) {
      threads.add(Thread.currentThread().getName());
      if (action[0] > 100) {
        throw new IllegalStateException("boom in " + id);
      }
      x += action[0] + rng.nextGaussian();
      return new StepResult(new double[] {x}, -x * x, x > 3, false);
    }

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }

  private static List<Environment> walks(int n, AtomicInteger closed) {
    List<Environment> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Walk(i, closed));
    }
    return out;
  }

  private static List<double[]> rollout(VectorEnvironment venv, int steps) {
    int n = venv.size();
    long[] seeds = new long[n];
    for (int i = 0; i < n; i++) {
      seeds[i] = 1000 + i;
    }
    List<double[]> trace = new ArrayList<>();
    double[][] obs = venv.reset(seeds);
    boolean[] active = new boolean[n];
    java.util.Arrays.fill(active, true);
    for (int t = 0; t < steps; t++) {
      double[][] actions = new double[n][1];
      for (int i = 0; i < n; i++) {
        actions[i][0] = 0.01 * ((i * 7 + t) % 5) - obs[i][0] * 0.1;
      }
      StepResult[] res = venv.step(actions, active);
      double[] row = new double[2 * n];
      for (int i = 0; i < n; i++) {
        if (active[i]) {
          obs[i] = res[i].observation();
          row[2 * i] = obs[i][0];
          row[2 * i + 1] = res[i].reward();
          active[i] = !res[i].done();
        } else {
          assertNull(res[i]);
          row[2 * i] = Double.NaN;
        }
      }
      trace.add(row);
    }
    return trace;
  }

  @Test
  void when_stepped_on_several_threads_expect_the_sequential_trajectories() {
    AtomicInteger closed = new AtomicInteger();
    List<double[]> sequential;
    try (VectorEnvironment v = VectorEnvironment.of(walks(37, closed))) {
      sequential = rollout(v, 50);
    }
    for (int threads : new int[] {1, 2, 3, 8}) {
      List<Environment> envs = walks(37, closed);
      try (ThreadedVectorEnvironment v = new ThreadedVectorEnvironment(envs, threads)) {
        assertEquals(threads, v.threads());
        List<double[]> threaded = rollout(v, 50);
        for (int t = 0; t < 50; t++) {
          assertArrayEquals(sequential.get(t), threaded.get(t), threads + " threads, step " + t);
        }
      }
      Set<String> used = ConcurrentHashMap.newKeySet();
      envs.forEach(e -> used.addAll(((Walk) e).threads));
      assertEquals(threads == 1, used.size() == 1, "threads used: " + used);
    }
    assertEquals(5 * 37, closed.get());
  }

  @Test
  void when_an_instance_fails_expect_its_exception_after_all_threads_finish() {
    AtomicInteger closed = new AtomicInteger();
    try (ThreadedVectorEnvironment v = new ThreadedVectorEnvironment(walks(5, closed), 2)) {
      v.reset(new long[] {1, 2, 3, 4, 5});
      double[][] actions = {{0}, {0}, {0}, {200}, {0}};
      boolean[] active = {true, true, true, true, true};
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> v.step(actions, active));
      assertEquals("boom in 3", e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> v.step(new double[4][1], active));
      assertThrows(IllegalArgumentException.class, () -> v.reset(new long[2]));
    }
    assertEquals(5, closed.get());
  }

  @Test
  void when_built_badly_expect_clear_errors() {
    assertThrows(IllegalArgumentException.class, () -> new ThreadedVectorEnvironment(List.of(), 2));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ThreadedVectorEnvironment(walks(2, new AtomicInteger()), 0));
    assertTrue(e.getMessage().contains("got 0"));
    try (ThreadedVectorEnvironment v = new ThreadedVectorEnvironment(walks(2, new AtomicInteger()), 8)) {
      assertEquals(2, v.threads());
      assertSame(v.observationSpace().getClass(), Box.class);
    }
  }
}
