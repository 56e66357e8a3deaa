package io.maml4j.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EnvRegistryTest {
  /** A user environment discovered through ServiceLoader (listed in META-INF/services). */
  public static final class ConstantGoalProvider implements EnvRegistry.Provider {
    @Override
    public String name() {
      return "constant-goal";
    }

    @Override
    public TaskDistribution create(Fields spec) {
      double g = spec.number("goal");
      spec.finish();
      return new Navigation2D(g, g + 1e-9, 5);
    }
  }

  @Test
  void providersOnTheClasspathAreRegistered() {
    assertTrue(EnvRegistry.names().contains("constant-goal"));
    TaskDistribution d = EnvRegistry.create(Fields.parse("mine.json", "{\"env\": \"constant-goal\", \"goal\": 0.25}"));
    assertEquals(5, d.horizon());
    assertEquals(0.25, d.sample(new SplittableRandom(1)).vector(Navigation2D.GOAL)[0], 1e-8);
  }

  @Test
  void navigationSpecFieldsAreChecked() {
    TaskDistribution d = EnvRegistry.create(Fields.parse("n.json",
        "{\"env\": \"navigation-2d\", \"horizon\": 7, \"goal_low\": 0.1, \"goal_high\": 0.2}"));
    assertEquals(7, d.horizon());
    double[] g = d.sample(new SplittableRandom(2)).vector(Navigation2D.GOAL);
    assertTrue(g[0] >= 0.1 && g[0] <= 0.2);
    ConfigException e = assertThrows(ConfigException.class, () -> EnvRegistry.create(Fields.parse("n.json",
        "{\"env\": \"navigation-2d\", \"goal_low\": 0.5, \"goal_high\": 0.2}")));
    assertEquals("n.json: field 'goal_high': expected a number greater than goal_low (0.5), got 0.2", e.getMessage());
    ConfigException unknown = assertThrows(ConfigException.class, () -> EnvRegistry.create(Fields.parse("n.json",
        "{\"env\": \"navigation-2d\", \"goal\": [1, 2]}")));
    assertTrue(unknown.getMessage().startsWith("n.json: unknown field 'goal'"), unknown.getMessage());
  }

  @Test
  void builtInSpecFilesLoad() {
    TaskDistribution nav = EnvRegistry.load(java.nio.file.Path.of("environments/navigation-2d.json"));
    assertEquals(100, nav.horizon());
    assertArrayEquals(new int[] {2}, ((io.maml4j.env.Box) nav.actionSpace()).shape());
  }
}
