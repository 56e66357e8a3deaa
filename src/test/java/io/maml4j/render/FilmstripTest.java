package io.maml4j.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.maml4j.locomotion.Locomotion;
import io.maml4j.locomotion.LocomotionEnv;
import io.maml4j.locomotion.LocomotionTasks;
import io.maml4j.mujoco.MuJoCo;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class FilmstripTest {
  @Test
  void when_episodes_drawn_expect_a_strip_and_an_animation_of_the_robot(@TempDir Path dir) throws Exception {
    assumeTrue(MuJoCo.isAvailable(), "MuJoCo 2.2.2 not installed");
    for (Locomotion kind : new Locomotion[] {Locomotion.HALF_CHEETAH_VEL, Locomotion.ANT_GOAL}) {
      LocomotionTasks dist = LocomotionTasks.standard(kind, 12);
      Policy policy = Policies.create(PolicySpec.defaultGaussian(), dist.observationSpace(), dist.actionSpace());
      Params theta = policy.init(new SplittableRandom(1), DataType.DOUBLE);
      List<Filmstrip.Episode> episodes;
      try (LocomotionEnv env = dist.make(dist.sample(new SplittableRandom(2)))) {
        episodes = List.of(
            Filmstrip.record("mean actions", env, policy, theta, 3, null, dist.horizon()),
            Filmstrip.record("sampled actions", env, policy, theta, 3, new SplittableRandom(4), dist.horizon()));
      }
      assertEquals(12, episodes.get(0).steps());
      assertEquals(13, episodes.get(0).qpos().size());
      assertEquals(episodes.get(0).qpos().get(0)[0], episodes.get(1).qpos().get(0)[0], "same start state");
      assertNotEquals(episodes.get(0).episodeReturn(), episodes.get(1).episodeReturn());
      boolean side = kind.robot() == io.maml4j.locomotion.Robot.HALF_CHEETAH;
      Filmstrip.Layout layout = new Filmstrip.Layout(120, 90, 3, List.of("a note"), side ? null : new double[] {1, -1});
      Path png = dir.resolve(kind.specName() + ".png");
      Path gif = dir.resolve(kind.specName() + ".gif");
      try (RobotPainter painter = RobotPainter.of(dist.model(), side ? RobotPainter.View.SIDE : RobotPainter.View.TOP)) {
        Filmstrip.writeStrip(png, episodes, painter, 4, layout);
        Filmstrip.writeGif(gif, episodes, painter, 3, layout);
      }
      BufferedImage strip = ImageIO.read(png.toFile());
      assertEquals(4 * 120 + 5 * 4, strip.getWidth());
      // Some pixels carry the robot's colours (saturated), not just greys and white.
      int coloured = 0;
      for (int y = 0; y < strip.getHeight(); y++) {
        for (int x = 0; x < strip.getWidth(); x++) {
          int c = strip.getRGB(x, y);
          int r = (c >> 16) & 0xff;
          int g = (c >> 8) & 0xff;
          int b = c & 0xff;
          coloured += Math.max(r, Math.max(g, b)) - Math.min(r, Math.min(g, b)) > 60 ? 1 : 0;
        }
      }
      assertTrue(coloured > 500, kind + ": robot pixels " + coloured);
      ImageReader reader = ImageIO.getImageReadersByFormatName("gif").next();
      try (ImageInputStream in = ImageIO.createImageInputStream(gif.toFile())) {
        reader.setInput(in);
        assertEquals(5, reader.getNumImages(true), "frames at steps 0, 3, 6, 9, 12");
        assertEquals(2 * 120 + 3 * 4, reader.read(0).getWidth());
      } finally {
        reader.dispose();
      }
      dist.model().close();
    }
  }
}
