package io.maml4j.work;

import java.util.SplittableRandom;

/**
 * Where a meta-iteration's randomness comes from: the tasks from a stream of (seed, iteration),
 * and everything a task samples from a stream of (seed, iteration, task index) alone. So a task's
 * episodes are the same whichever thread or machine samples them, and a resumed run repeats the
 * uninterrupted one.
 */
public final class Seeds {
  private Seeds() {}

  /** The stream the tasks of iteration {@code iteration} are drawn from. */
  public static SplittableRandom iteration(long seed, int iteration) {
    return new SplittableRandom(new SplittableRandom(seed).split().nextLong() ^ (0x9E3779B97F4A7C15L * (iteration + 1)));
  }

  /** The stream of task {@code task} of iteration {@code iteration}. */
  public static SplittableRandom task(long seed, int iteration, int task) {
    long base = iteration(seed, iteration).split().nextLong();
    return new SplittableRandom(mix(base + 0xD1B54A32D192ED03L * (task + 1L)));
  }

  // Stafford's variant 13 of the MurmurHash3 finaliser: consecutive task indices give unrelated
  // seeds, which SplittableRandom's own seeding (an additive gamma) would not.
  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}
