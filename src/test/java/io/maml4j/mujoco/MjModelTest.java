package io.maml4j.mujoco;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MjModelTest {
  static final Path HALF_CHEETAH = Path.of("environments/mujoco/half_cheetah.xml");
  static final Path ANT = Path.of("environments/mujoco/ant.xml");

  @BeforeEach
  void requireMuJoCo() {
    assumeTrue(MuJoCo.isAvailable(), "MuJoCo 2.2.2 not installed");
  }

  @Test
  void when_loading_half_cheetah_expect_classic_sizes_names_and_ranges() {
    try (MjModel m = MjModel.load(HALF_CHEETAH)) {
      assertEquals(9, m.nq());
      assertEquals(9, m.nv());
      assertEquals(6, m.nu());
      assertEquals(0, m.na());
      assertEquals(0.01, m.timestep());
      assertArrayEquals(new double[] {0, 0, -9.81}, m.gravity());
      assertEquals(List.of("rootx", "rootz", "rooty", "bthigh", "bshin", "bfoot", "fthigh",
          "fshin", "ffoot"), m.jointNames());
      assertEquals(List.of("bthigh", "bshin", "bfoot", "fthigh", "fshin", "ffoot"),
          m.actuatorNames());
      assertEquals(1, m.bodyId("torso"));
      assertEquals(0, m.jointQposAddress(m.jointId("rootx")));
      assertArrayEquals(new double[] {-1, -1, -1, -1, -1, -1}, m.ctrlLow());
      assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1}, m.ctrlHigh());
      assertArrayEquals(new double[] {-0.52, 1.05}, m.jointRange(m.jointId("bthigh")));
      assertEquals(Double.POSITIVE_INFINITY, m.jointRange(m.jointId("rootx"))[1]);
      // settotalmass="14" rescales the density-derived masses.
      assertEquals(14.0, Arrays.stream(m.bodyMass()).sum(), 1e-9);
      assertTrue(m.nstack() <= 100_000, "nstack " + m.nstack());
    }
  }

  @Test
  void when_loading_ant_expect_free_root_and_eight_motors() {
    try (MjModel m = MjModel.load(ANT)) {
      assertEquals(15, m.nq());
      assertEquals(14, m.nv());
      assertEquals(8, m.nu());
      assertEquals(0.01, m.timestep());
      assertEquals(1, m.integrator(), "classic Ant uses RK4");
      assertArrayEquals(new double[] {0, 0, 0.75, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
          m.qpos0());
      assertEquals(List.of("hip_4", "ankle_4", "hip_1", "ankle_1", "hip_2", "ankle_2", "hip_3",
          "ankle_3"), m.actuatorNames());
      assertArrayEquals(new double[] {Math.toRadians(30), Math.toRadians(70)},
          m.jointRange(m.jointId("ankle_1")), 1e-12);
    }
  }

  @Test
  void when_xml_has_unknown_element_expect_exception_with_mujoco_message(@TempDir Path dir)
      throws Exception {
    Path bad = dir.resolve("bad.xml");
    Files.writeString(bad, "<mujoco><worldbody><bogus/></worldbody></mujoco>");
    MjException e = assertThrows(MjException.class, () -> MjModel.load(bad));
    assertTrue(e.getMessage().contains("bad.xml"), e.getMessage());
    assertTrue(e.getMessage().contains("XML Error"), e.getMessage());
    assertTrue(e.getMessage().contains("bogus"), e.getMessage());
  }

  @Test
  void when_model_does_not_compile_expect_exception_with_mujoco_message(@TempDir Path dir)
      throws Exception {
    Path bad = dir.resolve("nojoint.xml");
    Files.writeString(bad, "<mujoco><actuator><motor joint=\"missing\"/></actuator></mujoco>");
    MjException e = assertThrows(MjException.class, () -> MjModel.load(bad));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void when_file_is_missing_expect_exception_naming_it(@TempDir Path dir) {
    Path missing = dir.resolve("missing.xml");
    MjException e = assertThrows(MjException.class, () -> MjModel.load(missing));
    assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
  }

  @Test
  void when_name_is_unknown_expect_exception_listing_known_names() {
    try (MjModel m = MjModel.load(HALF_CHEETAH)) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> m.bodyId("tail"));
      assertTrue(e.getMessage().contains("tail") && e.getMessage().contains("torso"),
          e.getMessage());
    }
  }

  @Test
  void when_model_closes_before_its_sim_expect_sim_to_keep_working_until_closed() {
    MjModel m = MjModel.load(HALF_CHEETAH);
    MjSim sim = m.newSim();
    m.close();
    m.close();
    sim.step(2);
    assertEquals(0.02, sim.time(), 1e-12);
    sim.close();
    sim.close();
    assertThrows(IllegalStateException.class, m::newSim);
    assertThrows(IllegalStateException.class, () -> sim.step(1));
  }
}
