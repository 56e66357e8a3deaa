package io.maml4j.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.env.Environment;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Navigation2DTest {
  @Test
  void stepClipsActionsAndRewardsNegativeDistance() {
    Environment env = Navigation2D.standard().make(Navigation2D.goal(0.3, -0.2));
    assertArrayEquals(new double[] {0, 0}, env.reset(1));
    StepResult r = env.step(new double[] {5.0, -0.05});
    assertArrayEquals(new double[] {0.1, -0.05}, r.observation(), 1e-15);
    assertEquals(-Math.hypot(0.1 - 0.3, -0.05 + 0.2), r.reward(), 1e-15);
    assertFalse(r.done());
  }

  @Test
  void episodeTerminatesWithinOneCentimetreOfTheGoal() {
    Environment env = Navigation2D.standard().make(Navigation2D.goal(0.105, 0.0));
    env.reset(0);
    StepResult r = env.step(new double[] {0.1, 0.0});
    assertTrue(r.terminated());
    assertEquals(-0.005, r.reward(), 1e-12);
  }

  @Test
  void when_the_goal_was_reached_expect_a_further_step_refused_until_reset() {
    Environment env = Navigation2D.standard().make(Navigation2D.goal(0.105, 0.0));
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> env.step(new double[] {0, 0}));
    env.reset(0);
    assertTrue(env.step(new double[] {0.1, 0.0}).terminated());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class, () -> env.step(new double[] {0, 0}));
    env.reset(0);
    assertFalse(env.step(new double[] {0.05, 0.0}).done());
  }

  @Test
  void goalsAreUniformInTheSquare() {
    Navigation2D nav = Navigation2D.standard();
    SplittableRandom rng = new SplittableRandom(3);
    double sum = 0;
    for (int i = 0; i < 2000; i++) {
      Task t = nav.sample(rng);
      double[] g = t.vector(Navigation2D.GOAL);
      assertTrue(g[0] >= -0.5 && g[0] <= 0.5 && g[1] >= -0.5 && g[1] <= 0.5);
      sum += g[0];
    }
    assertEquals(0.0, sum / 2000, 0.03);
  }
}
