package io.maml4j.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.maml4j.mujoco.MjModel;
import io.maml4j.mujoco.MuJoCo;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SkeletonTest {
  private static final Path CHEETAH = Path.of("environments/mujoco/half_cheetah.xml");
  private static final Path ANT = Path.of("environments/mujoco/ant.xml");

  @Test
  void when_bundled_models_read_expect_their_capsules_and_spheres() {
    Skeleton cheetah = Skeleton.read(CHEETAH, null);
    assertEquals(8, cheetah.shapes().size(), "torso, head and six leg capsules; the floor plane is skipped");
    Skeleton.Capsule torso = (Skeleton.Capsule) cheetah.shapes().get(0);
    assertEquals(1, torso.body());
    assertArrayEquals(new double[] {-0.5, 0, 0}, torso.a());
    assertArrayEquals(new double[] {0.5, 0, 0}, torso.b());
    // The head: pos 0.6 0 0.1, axis z turned by 0.87 rad about y, half-length 0.15.
    Skeleton.Capsule head = (Skeleton.Capsule) cheetah.shapes().get(1);
    double dx = 0.15 * Math.sin(0.87);
    double dz = 0.15 * Math.cos(0.87);
    assertArrayEquals(new double[] {0.6 - dx, 0, 0.1 - dz}, head.a(), 1e-12);
    assertArrayEquals(new double[] {0.6 + dx, 0, 0.1 + dz}, head.b(), 1e-12);
    assertEquals(7, cheetah.shapes().get(7).body(), "ffoot is body 7");

    Skeleton ant = Skeleton.read(ANT, null);
    assertEquals(13, ant.shapes().size(), "torso sphere and twelve leg capsules");
    Skeleton.Ball ball = (Skeleton.Ball) ant.shapes().get(0);
    assertEquals(0.25, ball.radius());
    assertEquals(13, ant.shapes().get(12).body(), "the last foot is body 13");
  }

  @Test
  void when_checked_against_the_compiled_model_expect_matching_bodies() {
    assumeTrue(MuJoCo.isAvailable(), "MuJoCo 2.2.2 not installed");
    try (MjModel m = MjModel.load(ANT)) {
      assertEquals(13, Skeleton.of(m).shapes().size());
    }
  }

  @Test
  void when_rotating_by_quaternions_expect_right_handed_rotations() {
    double s = Math.sqrt(0.5);
    assertArrayEquals(new double[] {0, 1, 0}, Pose.rotate(new double[] {s, 0, 0, s}, new double[] {1, 0, 0}), 1e-15);
    assertArrayEquals(new double[] {0, 0, -1}, Pose.rotate(new double[] {s, 0, s, 0}, new double[] {1, 0, 0}), 1e-15);
    assertArrayEquals(new double[] {1, 2, 4}, Pose.toWorld(new double[] {1, 2, 3}, new double[] {1, 0, 0, 0},
        new double[] {0, 0, 1}), 1e-15);
  }
}
