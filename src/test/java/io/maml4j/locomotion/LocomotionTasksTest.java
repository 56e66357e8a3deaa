package io.maml4j.locomotion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.maml4j.env.Environment;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.ThreadedVectorEnvironment;
import io.maml4j.env.VectorEnvironment;
import io.maml4j.mujoco.MuJoCo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Determinism of locomotion trajectories: repeated, and on two threads against one. */
class LocomotionTasksTest {
  @BeforeEach
  void requireMuJoCo() {
    assumeTrue(MuJoCo.isAvailable(), "MuJoCo 2.2.2 not installed");
  }

  /** Observations and rewards of all instances over {@code steps} steps of an observation-feedback controller. */
  private static List<double[]> rollout(VectorEnvironment venv, long[] seeds, int steps) {
    int n = venv.size();
    int act = venv.actionSpace().flatSize();
    double[][] obs = venv.reset(seeds);
    boolean[] active = new boolean[n];
    Arrays.fill(active, true);
    List<double[]> trace = new ArrayList<>();
    for (double[] o : obs) {
      trace.add(o);
    }
    for (int t = 0; t < steps; t++) {
      double[][] actions = new double[n][act];
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < act; j++) {
          actions[i][j] = 8 * Math.sin(0.9 * t + j + i) - 5 * obs[i][(j + 3) % obs[i].length];
        }
      }
      StepResult[] res = venv.step(actions, active);
      for (int i = 0; i < n; i++) {
        if (active[i]) {
          obs[i] = res[i].observation();
          double[] row = Arrays.copyOf(obs[i], obs[i].length + 3);
          row[obs[i].length] = res[i].reward();
          row[obs[i].length + 1] = res[i].terminated() ? 1 : 0;
          row[obs[i].length + 2] = i;
          trace.add(row);
          active[i] = !res[i].done();
        }
      }
    }
    return trace;
  }

  private static void assertSameTrace(List<double[]> a, List<double[]> b, String what) {
    assertEquals(a.size(), b.size(), what + ": number of steps");
    for (int k = 0; k < a.size(); k++) {
      assertArrayEquals(a.get(k), b.get(k), what + ": row " + k);
    }
  }

  @Test
  void when_same_seeds_and_actions_expect_identical_trajectories_on_one_or_two_threads() {
    for (Locomotion kind : new Locomotion[] {Locomotion.HALF_CHEETAH_VEL, Locomotion.ANT_VEL}) {
      LocomotionTasks dist = LocomotionTasks.standard(kind, 100);
      try {
        List<Task> tasks = dist.sample(9, new SplittableRandom(5));
        long[] seeds = new SplittableRandom(6).longs(9).toArray();
        List<double[]> twoThreads;
        try (VectorEnvironment v = dist.makeVector(tasks)) {
          ThreadedVectorEnvironment threaded = assertInstanceOf(ThreadedVectorEnvironment.class, v);
          assertEquals(2, threaded.threads());
          twoThreads = rollout(v, seeds, 40);
          // The same instances again, after a reset with the same seeds.
          assertSameTrace(twoThreads, rollout(v, seeds, 40), kind + " repeated");
        }
        List<Environment> envs = new ArrayList<>();
        for (Task t : tasks) {
          envs.add(dist.make(t));
        }
        try (VectorEnvironment sequential = VectorEnvironment.of(envs)) {
          assertSameTrace(twoThreads, rollout(sequential, seeds, 40), kind + " sequential vs 2 threads");
        }
        assertTrue(twoThreads.size() > 9 * 10, "episodes ran");
      } finally {
        dist.model().close();
      }
    }
  }

  @Test
  void when_ant_terminates_in_a_vector_expect_only_its_instance_to_stop() {
    LocomotionTasks dist = LocomotionTasks.standard(Locomotion.ANT_DIR, 100);
    try (VectorEnvironment v = dist.makeVector(List.of(Locomotion.direction(1), Locomotion.direction(-1)))) {
      v.reset(new long[] {1, 2});
      boolean[] active = {true, true};
      double[][] hard = new double[2][8];
      int stepsOfFirst = 0;
      for (int t = 0; t < 60 && active[0]; t++) {
        for (int j = 0; j < 8; j++) {
          hard[0][j] = 12 * Math.sin(0.7 * t + 1.3 * j);
        }
        StepResult[] r = v.step(hard, active);
        stepsOfFirst++;
        active[0] = !r[0].done();
        assertTrue(!r[1].done(), "the resting ant keeps going");
      }
      assertTrue(stepsOfFirst < 60, "the full-torque ant terminated");
    } finally {
      dist.model().close();
    }
  }
}
