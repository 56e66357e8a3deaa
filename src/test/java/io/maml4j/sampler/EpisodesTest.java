package io.maml4j.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class EpisodesTest {
  /**
   * Two tasks of two episodes each, horizon 4, lengths 4, 1 | 2, 3; padding rewards are set to
   * a loud value that no sum may include.
   */
  private static Episodes fixture() {
    double p = 1000;
    double[] rewards = {
        1, 2, 3, 4, /* */ 5, p, p, p,
        -1, -2, p, p, /* */ 0.5, 0.25, 0.125, p};
    // Padding is zero in real episodes; a non-zero one here proves the sums stop at the length.
    return EpisodesFixture.of(2, 2, 4, 1, new double[16], rewards, new int[] {4, 1, 2, 3},
        new boolean[4], new double[4]);
  }

  @Test
  void when_episodes_have_different_lengths_expect_returns_over_valid_steps_only() {
    assertArrayEquals(new double[] {10, 5, -3, 0.875}, fixture().episodeReturns(), 0);
  }

  @Test
  void when_tasks_differ_expect_each_task_return_the_mean_over_its_own_episodes() {
    // Task 0: (10 + 5) / 2; task 1: (-3 + 0.875) / 2.
    assertArrayEquals(new double[] {7.5, -1.0625}, fixture().taskReturns(), 0);
  }

  @Test
  void when_summarised_expect_mean_return_over_all_episodes_and_steps_counted() {
    Episodes ep = fixture();
    assertEquals((10 + 5 - 3 + 0.875) / 4, ep.meanReturn(), 0);
    assertEquals(10, ep.steps());
    assertEquals(2, ep.numTasks());
    assertEquals(2, ep.perTask());
    assertEquals(4, ep.horizon());
    assertEquals(1, ep.obsDim());
    assertEquals(1, ep.actDim());
    assertEquals(2, ep.tasks().size());
  }
}
