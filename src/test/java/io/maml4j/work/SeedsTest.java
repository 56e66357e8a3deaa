package io.maml4j.work;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Every task's stream is a function of (seed, iteration, task) and distinct from the others. */
class SeedsTest {
  @Test
  void when_a_task_stream_is_made_twice_expect_the_same_numbers() {
    SplittableRandom a = Seeds.task(5, 3, 7);
    SplittableRandom b = Seeds.task(5, 3, 7);
    for (int i = 0; i < 100; i++) {
      assertEquals(a.nextLong(), b.nextLong());
    }
  }

  @Test
  void when_seed_iteration_or_task_differ_expect_different_streams() {
    Set<Long> first = new HashSet<>();
    for (long seed = 0; seed < 4; seed++) {
      for (int it = 0; it < 20; it++) {
        for (int task = 0; task < 40; task++) {
          first.add(Seeds.task(seed, it, task).nextLong());
        }
      }
    }
    assertEquals(4 * 20 * 40, first.size());
    // Neighbouring tasks are not shifted copies of each other's streams.
    SplittableRandom t0 = Seeds.task(1, 0, 0);
    SplittableRandom t1 = Seeds.task(1, 0, 1);
    long[] x = new long[64];
    for (int i = 0; i < 64; i++) {
      x[i] = t0.nextLong();
    }
    long y = t1.nextLong();
    for (long v : x) {
      assertNotEquals(v, y);
    }
  }

  @Test
  void when_the_iteration_stream_is_drawn_expect_the_tasks_of_earlier_releases() {
    // The task draw of iteration i is unchanged since the first release, so the same seed still
    // meets the same tasks.
    long seed = 1;
    SplittableRandom old = new SplittableRandom(new SplittableRandom(seed).split().nextLong() ^ (0x9E3779B97F4A7C15L * 4));
    assertEquals(old.nextLong(), Seeds.iteration(seed, 3).nextLong());
  }
}
