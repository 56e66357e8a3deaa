package io.maml4j.locomotion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.maml4j.config.ConfigException;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.mujoco.MuJoCo;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LocomotionRegistryTest {
  /** Loads each spec named on the command line; prints "ok NAME" or the error's one-line message. */
  public static final class Probe {
    public static void main(String[] args) {
      for (String spec : args) {
        try {
          TaskDistribution d = EnvRegistry.standard().load(Path.of(spec));
          System.out.println("ok " + d.name());
        } catch (ConfigException e) {
          System.out.println("error " + e.getMessage());
        }
      }
    }
  }

  @Test
  void when_registry_listed_expect_the_five_locomotion_specs() {
    assertTrue(EnvRegistry.standard().names().containsAll(
        List.of("half-cheetah-vel", "half-cheetah-dir", "ant-vel", "ant-dir", "ant-goal", "navigation-2d")));
  }

  @Test
  void when_specs_loaded_expect_locomotion_distributions() {
    assumeTrue(MuJoCo.isAvailable(), "MuJoCo 2.2.2 not installed");
    for (Locomotion kind : Locomotion.values()) {
      TaskDistribution d = EnvRegistry.standard().load(Path.of("environments", kind.specName() + ".json"));
      LocomotionTasks t = assertInstanceOf(LocomotionTasks.class, d);
      assertEquals(kind, t.kind());
      t.model().close();
    }
  }

  @Test
  void when_mujoco_missing_expect_one_line_install_message_and_other_envs_working() throws Exception {
    ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "-D" + MuJoCo.LIBRARY_PROPERTY + "=libmujoco-not-installed.so.0",
        Probe.class.getName(), "environments/half-cheetah-vel.json", "environments/navigation-2d.json",
        "environments/ant-goal.json");
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out;
    try {
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      p.destroyForcibly();
      throw e;
    }
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    List<String> lines = out.lines().toList();
    assertEquals(3, lines.size(), out);
    assertEquals("error environments/half-cheetah-vel.json: MuJoCo 2.2.2 not found (libmujoco-not-installed.so.0):"
        + " install it with `apt-get install libmujoco2.2.2`", lines.get(0));
    assertEquals("ok navigation-2d", lines.get(1));
    assertTrue(lines.get(2).startsWith("error environments/ant-goal.json: MuJoCo 2.2.2 not found"), lines.get(2));
  }
}
