package io.maml4j.locomotion;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.maml4j.env.Box;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.mujoco.MjModel;
import io.maml4j.mujoco.MjSim;
import io.maml4j.mujoco.MuJoCo;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rewards, terminations, observations and resets of the five locomotion families, each reward
 * recomputed from a plain {@link MjSim} that replays the same controls from the same state.
 */
class LocomotionEnvTest {
  private static final double TOL = 1e-12;
  private static final Map<Locomotion, LocomotionTasks> DISTS = new EnumMap<>(Locomotion.class);

  @BeforeAll
  static void load() {
    assumeTrue(MuJoCo.isAvailable(), "MuJoCo 2.2.2 not installed");
    for (Locomotion kind : Locomotion.values()) {
      DISTS.put(kind, LocomotionTasks.standard(kind, 100));
    }
  }

  @AfterAll
  static void free() {
    DISTS.values().forEach(d -> d.model().close());
  }

  /** A scripted, deterministic action sequence that makes both robots move and uses clipping. */
  private static double[] scripted(int t, int n) {
    return scripted(t, n, 12);
  }

  private static double[] scripted(int t, int n, double amplitude) {
    double[] a = new double[n];
    for (int i = 0; i < n; i++) {
      a[i] = amplitude * Math.sin(0.7 * t + 1.3 * i);
    }
    return a;
  }

  @Test
  void when_spaces_read_expect_classic_observation_sizes_and_scaled_actions() {
    assertEquals(17, DISTS.get(Locomotion.HALF_CHEETAH_VEL).observationSpace().flatSize());
    assertEquals(17, DISTS.get(Locomotion.HALF_CHEETAH_DIR).observationSpace().flatSize());
    assertEquals(111, DISTS.get(Locomotion.ANT_VEL).observationSpace().flatSize());
    assertEquals(111, DISTS.get(Locomotion.ANT_DIR).observationSpace().flatSize());
    assertEquals(113, DISTS.get(Locomotion.ANT_GOAL).observationSpace().flatSize());
    assertEquals(Box.of(6, -10, 10), DISTS.get(Locomotion.HALF_CHEETAH_VEL).actionSpace());
    assertEquals(Box.of(8, -10, 10), DISTS.get(Locomotion.ANT_DIR).actionSpace());
    for (LocomotionTasks d : DISTS.values()) {
      assertEquals(100, d.horizon());
      try (LocomotionEnv env = d.make(d.sample(new java.util.SplittableRandom(1)))) {
        assertEquals(d.observationSpace(), env.observationSpace());
        assertEquals(d.actionSpace(), env.actionSpace());
        assertEquals(0.05, env.dt(), 1e-15);
        double[] obs = env.reset(3);
        assertEquals(d.observationSpace().flatSize(), obs.length);
      }
    }
  }

  @Test
  void when_reset_expect_gym_noise_seeded_and_observation_without_root_position() {
    LocomotionTasks d = DISTS.get(Locomotion.ANT_VEL);
    double[] qpos0 = d.model().qpos0();
    try (LocomotionEnv a = d.make(Locomotion.velocity(1)); LocomotionEnv b = d.make(Locomotion.velocity(2))) {
      double[] oa = a.reset(42);
      double[] ob = b.reset(42);
      assertArrayEquals(oa, ob, "same seed, same start (the task does not enter the start)");
      double[] q = a.qpos();
      double[] v = a.qvel();
      for (int i = 0; i < q.length; i++) {
        assertTrue(Math.abs(q[i] - qpos0[i]) <= LocomotionEnv.QPOS_NOISE, "qpos noise at " + i);
      }
      assertTrue(Arrays.stream(v).anyMatch(x -> x != 0) && Arrays.stream(v).allMatch(x -> Math.abs(x) < 0.6));
      assertArrayEquals(Arrays.copyOfRange(q, 2, 15), Arrays.copyOfRange(oa, 0, 13));
      assertArrayEquals(v, Arrays.copyOfRange(oa, 13, 27));
      for (int i = 27; i < 111; i++) {
        assertTrue(oa[i] >= -1 && oa[i] <= 1, "clipped contact force " + oa[i]);
      }
      assertNotEquals(Arrays.toString(oa), Arrays.toString(a.reset(43)));
    }
    LocomotionTasks c = DISTS.get(Locomotion.HALF_CHEETAH_DIR);
    try (LocomotionEnv env = c.make(Locomotion.direction(-1))) {
      double[] obs = env.reset(7);
      double[] expected = new double[17];
      System.arraycopy(env.qpos(), 1, expected, 0, 8);
      System.arraycopy(env.qvel(), 0, expected, 8, 9);
      assertArrayEquals(expected, obs);
    }
  }

  @Test
  void when_cheetah_steps_expect_velocity_and_direction_rewards_from_qpos() {
    for (Locomotion kind : new Locomotion[] {Locomotion.HALF_CHEETAH_VEL, Locomotion.HALF_CHEETAH_DIR}) {
      Task task = kind == Locomotion.HALF_CHEETAH_VEL ? Locomotion.velocity(1.3) : Locomotion.direction(-1);
      checkAgainstReplay(kind, task, 60, 12, (before, after, ctrl, cfrc) -> {
        double v = (after[0] - before[0]) / 0.05;
        double term = kind == Locomotion.HALF_CHEETAH_VEL ? -Math.abs(v - 1.3) : -v;
        return term - 0.05 * sumSq(ctrl);
      });
    }
  }

  @Test
  void when_ant_steps_expect_task_control_contact_and_survival_terms() {
    Task[] tasks = {Locomotion.velocity(2.2), Locomotion.direction(1), Locomotion.position(-1.5, 2.5)};
    Locomotion[] kinds = {Locomotion.ANT_VEL, Locomotion.ANT_DIR, Locomotion.ANT_GOAL};
    for (int k = 0; k < kinds.length; k++) {
      Locomotion kind = kinds[k];
      checkAgainstReplay(kind, tasks[k], 40, 6, (before, after, ctrl, cfrc) -> {
        double v = (after[0] - before[0]) / 0.05;
        double term = switch (kind) {
          case ANT_VEL -> -Math.abs(v - 2.2) + 1.0;
          case ANT_DIR -> v;
          default -> -(Math.abs(after[0] + 1.5) + Math.abs(after[1] - 2.5)) + 4.0;
        };
        double contact = 0;
        for (double f : cfrc) {
          contact += Math.pow(Math.max(-1, Math.min(1, f)), 2);
        }
        return term - 0.005 * sumSq(ctrl) - 0.0005 * contact + 0.05;
      });
    }
  }

  private interface Expected {
    double reward(double[] qposBefore, double[] qposAfter, double[] ctrl, double[] cfrcExt);
  }

  /**
   * Steps the environment with scripted actions and, alongside, a bare simulation of the same
   * model with the controls computed here by hand; compares states, rewards and flags.
   */
  private static int checkAgainstReplay(Locomotion kind, Task task, int steps, double amplitude, Expected expected) {
    LocomotionTasks d = DISTS.get(kind);
    MjModel model = d.model();
    boolean sawContact = false;
    try (LocomotionEnv env = d.make(task); MjSim sim = model.newSim()) {
      env.reset(11);
      sim.setState(env.qpos(), env.qvel());
      for (int t = 0; t < steps; t++) {
        double[] action = scripted(t, model.nu(), amplitude);
        double[] ctrl = new double[action.length];
        for (int i = 0; i < ctrl.length; i++) {
          ctrl[i] = Math.max(-10, Math.min(10, action[i])) / 10;
        }
        double[] before = sim.qpos();
        sim.setCtrl(ctrl);
        sim.step(5);
        double[] after = sim.qpos();
        double[] cfrc = sim.cfrcExt();
        StepResult r = env.step(action);
        assertArrayEquals(after, env.qpos(), kind + " qpos at step " + t);
        assertArrayEquals(sim.qvel(), env.qvel(), kind + " qvel at step " + t);
        assertEquals(expected.reward(before, after, ctrl, cfrc), r.reward(), TOL, kind + " reward at step " + t);
        boolean healthy = kind.robot() == Robot.HALF_CHEETAH || (after[2] >= 0.2 && after[2] <= 1.0);
        assertEquals(!healthy, r.terminated(), kind + " termination at step " + t + " with torso at " + after[2]);
        assertFalse(r.truncated());
        sawContact |= Arrays.stream(cfrc).anyMatch(f -> f != 0);
        if (r.terminated()) {
          return t + 1;
        }
      }
    }
    if (kind.robot() == Robot.ANT) {
      assertTrue(sawContact, "the ant touched the floor, so the contact term was exercised");
    }
    return steps;
  }

  @Test
  void when_actions_out_of_range_expect_clipped_and_mapped_controls_in_the_cost() {
    LocomotionTasks d = DISTS.get(Locomotion.HALF_CHEETAH_DIR);
    try (LocomotionEnv env = d.make(Locomotion.direction(1)); MjSim sim = d.model().newSim()) {
      env.reset(5);
      sim.setState(env.qpos(), env.qvel());
      double x0 = env.qpos()[0];
      double[] action = {25, -3, 0, 10, -10, 4.5};
      double[] ctrl = {1, -0.3, 0, 1, -1, 0.45};
      sim.setCtrl(ctrl);
      sim.step(5);
      StepResult r = env.step(action);
      assertArrayEquals(sim.qpos(), env.qpos());
      double controlCost = 0.05 * (1 + 0.09 + 0 + 1 + 1 + 0.2025);
      assertEquals((sim.qpos()[0] - x0) / 0.05 - controlCost, r.reward(), TOL);
      assertThrows(IllegalArgumentException.class, () -> env.step(new double[] {0, 0, Double.NaN, 0, 0, 0}));
      assertThrows(IllegalArgumentException.class, () -> env.step(new double[5]));
    }
  }

  @Test
  void when_ant_jumps_with_full_torques_expect_termination_above_healthy_height() {
    int length = checkAgainstReplay(Locomotion.ANT_DIR, Locomotion.direction(-1), 60, 12, (before, after, ctrl, cfrc) -> {
      double contact = 0;
      for (double f : cfrc) {
        contact += Math.pow(Math.max(-1, Math.min(1, f)), 2);
      }
      return -(after[0] - before[0]) / 0.05 - 0.005 * sumSq(ctrl) - 0.0005 * contact + 0.05;
    });
    assertTrue(length < 60, "the scripted full-torque gait throws the torso above 1.0 m");
  }

  @Test
  void when_ant_torso_leaves_healthy_heights_expect_termination() {
    LocomotionTasks d = DISTS.get(Locomotion.ANT_DIR);
    try (LocomotionEnv env = d.make(Locomotion.direction(1))) {
      double[] q = d.model().qpos0();
      double[] v = new double[d.model().nv()];
      q[2] = 1.2;
      env.resetTo(q, v);
      assertTrue(env.step(new double[8]).terminated(), "torso above 1.0");
      q[2] = 0.9;
      env.resetTo(q, v);
      assertFalse(env.step(new double[8]).terminated(), "torso at 0.9");
    }
    double[] low = new double[15];
    low[2] = 0.19;
    assertFalse(Robot.ANT.healthy(low));
    low[2] = 0.2;
    assertTrue(Robot.ANT.healthy(low));
    low[2] = 1.0;
    assertTrue(Robot.ANT.healthy(low));
    low[2] = -5;
    assertTrue(Robot.HALF_CHEETAH.healthy(low), "the cheetah has no height limit");
  }

  @Test
  void when_horizon_reached_expect_truncation_and_cheetah_never_terminates() {
    LocomotionTasks d = new LocomotionTasks(Locomotion.HALF_CHEETAH_VEL, DISTS.get(Locomotion.HALF_CHEETAH_VEL).model(),
        LocomotionConfig.defaults(Locomotion.HALF_CHEETAH_VEL).withHorizon(30));
    try (LocomotionEnv env = d.make(Locomotion.velocity(0.5))) {
      env.reset(1);
      for (int t = 0; t < 30; t++) {
        StepResult r = env.step(scripted(3 * t, 6));
        assertFalse(r.terminated());
        assertEquals(t == 29, r.truncated(), "truncated at step " + t);
      }
      assertEquals(30, env.steps());
    }
  }

  @Test
  void when_task_malformed_expect_clear_errors() {
    LocomotionTasks d = DISTS.get(Locomotion.ANT_GOAL);
    assertThrows(IllegalArgumentException.class, () -> d.make(Locomotion.velocity(1)));
    assertThrows(IllegalArgumentException.class, () -> DISTS.get(Locomotion.ANT_DIR).make(
        new Task(Map.of("direction", 0.5))));
    assertThrows(IllegalArgumentException.class, () -> Locomotion.direction(0));
    try (LocomotionEnv env = d.make(Locomotion.position(0, 0))) {
      assertThrows(IllegalStateException.class, () -> env.step(new double[8]));
    }
  }

  @Test
  void when_tasks_sampled_expect_anchor_ranges() {
    java.util.SplittableRandom rng = new java.util.SplittableRandom(3);
    int forward = 0;
    for (int i = 0; i < 400; i++) {
      double v = DISTS.get(Locomotion.HALF_CHEETAH_VEL).sample(rng).number("velocity");
      assertTrue(v >= 0 && v < 2);
      double va = DISTS.get(Locomotion.ANT_VEL).sample(rng).number("velocity");
      assertTrue(va >= 0 && va < 3);
      double dir = DISTS.get(Locomotion.ANT_DIR).sample(rng).number("direction");
      assertTrue(dir == 1 || dir == -1);
      forward += dir == 1 ? 1 : 0;
      double[] g = DISTS.get(Locomotion.ANT_GOAL).sample(rng).vector("goal");
      assertTrue(g[0] >= -3 && g[0] < 3 && g[1] >= -3 && g[1] < 3);
    }
    assertTrue(forward > 150 && forward < 250, "both directions drawn: " + forward);
  }

  private static double sumSq(double[] x) {
    double s = 0;
    for (double v : x) {
      s += v * v;
    }
    return s;
  }
}
