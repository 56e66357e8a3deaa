package io.maml4j.mujoco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MjSimTest {
  private static final double G = 9.81;

  @BeforeEach
  void requireMuJoCo() {
    assumeTrue(MuJoCo.isAvailable(), "MuJoCo 2.2.2 not installed");
  }

  /**
   * A free body falling without contacts. MuJoCo's Euler integrator is semi-implicit
   * (v' = v + a dt, then x' = x + v' dt), so after n steps v = -g n dt and
   * z = z0 - g dt² n(n+1)/2 = z0 - g t²/2 - g dt t/2 exactly, up to rounding.
   */
  @Test
  void when_body_falls_freely_expect_semi_implicit_euler_parabola(@TempDir Path dir)
      throws Exception {
    double z0 = 10;
    double dt = 0.002;
    Path xml = dir.resolve("fall.xml");
    Files.writeString(xml, """
        <mujoco>
          <option timestep="%s" gravity="0 0 -%s" integrator="Euler"/>
          <size nstack="1000"/>
          <worldbody>
            <body name="ball" pos="0.5 -0.25 %s">
              <freejoint/>
              <geom type="sphere" size="0.1" contype="0" conaffinity="0"/>
            </body>
          </worldbody>
        </mujoco>
        """.formatted(dt, G, z0));
    try (MjModel m = MjModel.load(xml); MjSim sim = m.newSim()) {
      assertEquals(7, m.nq());
      // A free joint's default pose is the body's position and the identity quaternion; reading
      // it back checks the qpos0 offset and mjData.qpos together.
      double[] start = {0.5, -0.25, z0, 1, 0, 0, 0};
      assertArrayEquals(start, m.qpos0());
      assertArrayEquals(start, sim.qpos());
      int ball = m.bodyId("ball");
      for (int n = 1; n <= 500; n++) {
        sim.step(1);
        double t = n * dt;
        double[] q = sim.qpos();
        double[] v = sim.qvel();
        assertEquals(t, sim.time(), 1e-12);
        assertEquals(z0 - G * dt * dt * n * (n + 1) / 2, q[2], 1e-10, "z at step " + n);
        assertEquals(z0 - G * t * t / 2 - G * dt * t / 2, q[2], 1e-10, "z vs analytic at " + t);
        assertEquals(-G * n * dt, v[2], 1e-10, "vz at step " + n);
        assertEquals(0.5, q[0]);
        assertEquals(-0.25, q[1]);
        assertArrayEquals(new double[] {1, 0, 0, 0}, Arrays.copyOfRange(q, 3, 7));
        assertArrayEquals(new double[] {0, 0, 0, 0, 0},
            new double[] {v[0], v[1], v[3], v[4], v[5]});
      }
      // xpos is computed in the forward pass at the start of a step, so it lags qpos by one step.
      sim.forward();
      assertArrayEquals(Arrays.copyOf(sim.qpos(), 3), sim.bodyXpos(ball), 1e-12);
      assertEquals(0, sim.warningCount(MjWarning.BADQACC));
    }
  }

  @Test
  void when_same_controls_from_same_state_expect_bit_identical_trajectories() {
    try (MjModel m = MjModel.load(MjModelTest.HALF_CHEETAH);
        MjSim a = m.newSim();
        MjSim b = m.newSim()) {
      List<double[]> first = rollout(a, 7);
      List<double[]> second = rollout(b, 7);
      a.reset();
      List<double[]> afterReset = rollout(a, 7);
      for (int i = 0; i < first.size(); i++) {
        assertArrayEquals(first.get(i), second.get(i), "fresh sim, step " + i);
        assertArrayEquals(first.get(i), afterReset.get(i), "reset sim, step " + i);
      }
      // The controls actually moved the cheetah, so the comparison is not of a resting body.
      assertTrue(Math.abs(first.get(first.size() - 1)[0]) > 0.05);
    }
  }

  @Test
  void when_half_cheetah_gets_no_control_expect_it_to_stand_and_carry_its_weight() {
    try (MjModel m = MjModel.load(MjModelTest.HALF_CHEETAH); MjSim sim = m.newSim()) {
      int torso = m.bodyId("torso");
      for (int i = 0; i < 100; i++) {
        sim.step(1);
        double z = sim.bodyXpos(torso)[2];
        assertTrue(z > 0.45 && z < 0.75, "torso height " + z + " at t=" + sim.time());
      }
      double[] q = sim.qpos();
      assertTrue(Math.abs(q[0]) < 0.1, "drifted to x=" + q[0]);
      assertTrue(Math.abs(q[2]) < 0.3, "pitched to " + q[2]);
      sim.step(100);
      // At rest the contact forces carry the weight: sum of vertical external forces = m g.
      double[] f = sim.cfrcExt();
      double fz = 0;
      for (int body = 0; body < m.nbody(); body++) {
        fz += f[6 * body + 5];
      }
      double weight = G * Arrays.stream(m.bodyMass()).sum();
      assertEquals(weight, fz, 0.01 * weight);
      assertTrue(sim.maxStackUse() * 10 < m.nstack(), "stack use " + sim.maxStackUse());
      for (MjWarning w : MjWarning.values()) {
        assertEquals(0, sim.warningCount(w), w.name());
      }
    }
  }

  @Test
  void when_ant_gets_no_control_expect_torso_to_stay_up() {
    try (MjModel m = MjModel.load(MjModelTest.ANT); MjSim sim = m.newSim()) {
      sim.step(100);
      double z = sim.bodyXpos(m.bodyId("torso"))[2];
      assertTrue(z > 0.4 && z < 0.8, "torso height " + z);
      assertTrue(sim.maxStackUse() * 10 < m.nstack(), "stack use " + sim.maxStackUse());
    }
  }

  @Test
  void when_state_is_set_expect_it_read_back_and_poses_updated() {
    try (MjModel m = MjModel.load(MjModelTest.HALF_CHEETAH); MjSim sim = m.newSim()) {
      double[] qpos = new double[m.nq()];
      double[] qvel = new double[m.nv()];
      qpos[0] = 1.5;
      qvel[0] = 2.0;
      sim.setState(qpos, qvel);
      assertArrayEquals(qpos, sim.qpos());
      assertArrayEquals(qvel, sim.qvel());
      assertEquals(1.5, sim.bodyXpos(m.bodyId("torso"))[0], 1e-12);
      sim.setCtrl(new double[] {0.5, 0, 0, 0, 0, -0.5});
      assertArrayEquals(new double[] {0.5, 0, 0, 0, 0, -0.5}, sim.ctrl());
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> sim.setCtrl(new double[5]));
      assertTrue(e.getMessage().contains("6") && e.getMessage().contains("5"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> sim.step(0));
      sim.step(3);
      sim.reset();
      assertEquals(0, sim.time());
      assertArrayEquals(m.qpos0(), sim.qpos());
      assertArrayEquals(new double[m.nu()], sim.ctrl());
    }
  }

  @Test
  void when_control_is_nan_expect_warning_counted_and_reported_to_java() throws Exception {
    Path log = Path.of("MUJOCO_LOG.TXT");
    long logSize = Files.exists(log) ? Files.size(log) : -1;
    try (MjModel m = MjModel.load(MjModelTest.HALF_CHEETAH); MjSim sim = m.newSim()) {
      MjLib.takeWarning();
      double[] ctrl = new double[m.nu()];
      ctrl[2] = Double.NaN;
      sim.setCtrl(ctrl);
      sim.step(1);
      assertEquals(1, sim.warningCount(MjWarning.BADCTRL));
      String warning = MjLib.takeWarning();
      assertNotNull(warning);
      assertTrue(warning.contains("CTRL"), warning);
      assertTrue(Arrays.stream(sim.qpos()).allMatch(Double::isFinite));
    }
    // Our handler replaces MuJoCo's default one, which appends to MUJOCO_LOG.TXT.
    assertEquals(logSize, Files.exists(log) ? Files.size(log) : -1);
  }

  @Test
  void when_mujoco_reports_an_error_expect_java_exception_and_unusable_sim() {
    try (MjModel m = MjModel.load(MjModelTest.HALF_CHEETAH); MjSim sim = m.newSim()) {
      // mju_error goes through the same global handler as an engine failure (e.g. a stack
      // overflow inside mj_step) but leaves the engine state intact, so the test can survive it.
      MjLib.mju_error("injected failure");
      MjException e = assertThrows(MjException.class, () -> sim.step(1));
      assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
      IllegalStateException after = assertThrows(IllegalStateException.class, sim::qpos);
      assertTrue(after.getMessage().contains("injected failure"), after.getMessage());
    }
    // The error was consumed: a new simulation on this thread is not affected by it.
    try (MjModel m = MjModel.load(MjModelTest.HALF_CHEETAH); MjSim sim = m.newSim()) {
      sim.step(1);
    }
  }

  private static List<double[]> rollout(MjSim sim, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    int nu = sim.model().nu();
    List<double[]> states = new ArrayList<>();
    for (int t = 0; t < 200; t++) {
      double[] ctrl = new double[nu];
      for (int i = 0; i < nu; i++) {
        ctrl[i] = rng.nextDouble(-1, 1);
      }
      sim.setCtrl(ctrl);
      sim.step(5);
      double[] qpos = sim.qpos();
      double[] qvel = sim.qvel();
      double[] state = Arrays.copyOf(qpos, qpos.length + qvel.length);
      System.arraycopy(qvel, 0, state, qpos.length, qvel.length);
      states.add(state);
    }
    return states;
  }
}
