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
    public java.util.Map<String, EnvRegistry.Factory> environments() {
      return java.util.Map.of("constant-goal", spec -> {
        double g = spec.number("goal");
        spec.finish();
        return new Navigation2D(g, g + 1e-9, 5);
      });
    }
  }

  @Test
  void providersOnTheClasspathAreRegistered() {
    assertTrue(EnvRegistry.standard().names().contains("constant-goal"));
    TaskDistribution d = EnvRegistry.standard().create(Fields.parse("mine.json", "{\"env\": \"constant-goal\", \"goal\": 0.25}"));
    assertEquals(5, d.horizon());
    assertEquals(0.25, d.sample(new SplittableRandom(1)).vector(Navigation2D.GOAL)[0], 1e-8);
  }

  @Test
  void navigationSpecFieldsAreChecked() {
    TaskDistribution d = EnvRegistry.standard().create(Fields.parse("n.json",
        "{\"env\": \"navigation-2d\", \"horizon\": 7, \"goal_low\": 0.1, \"goal_high\": 0.2}"));
    assertEquals(7, d.horizon());
    double[] g = d.sample(new SplittableRandom(2)).vector(Navigation2D.GOAL);
    assertTrue(g[0] >= 0.1 && g[0] <= 0.2);
    ConfigException e = assertThrows(ConfigException.class, () -> EnvRegistry.standard().create(Fields.parse("n.json",
        "{\"env\": \"navigation-2d\", \"goal_low\": 0.5, \"goal_high\": 0.2}")));
    assertEquals("n.json: field 'goal_high': expected a number greater than goal_low (0.5), got 0.2", e.getMessage());
    ConfigException unknown = assertThrows(ConfigException.class, () -> EnvRegistry.standard().create(Fields.parse("n.json",
        "{\"env\": \"navigation-2d\", \"goal\": [1, 2]}")));
    assertTrue(unknown.getMessage().startsWith("n.json: unknown field 'goal'"), unknown.getMessage());
  }

  @Test
  void builtInSpecFilesLoad() {
    TaskDistribution nav = EnvRegistry.standard().load(java.nio.file.Path.of("environments/navigation-2d.json"));
    assertEquals(100, nav.horizon());
    assertArrayEquals(new int[] {2}, ((io.maml4j.env.Box) nav.actionSpace()).shape());
  }

  @Test
  void when_the_standard_registry_loads_expect_built_ins_found_through_service_loader() {
    assertTrue(EnvRegistry.standard().names().containsAll(java.util.List.of("navigation-2d", "oracle", "sinusoid", "bandit",
        "tabular-mdp", "gym-http", "half-cheetah-vel", "half-cheetah-dir", "ant-vel", "ant-dir", "ant-goal")),
        EnvRegistry.standard().names().toString());
    assertEquals(EnvRegistry.of(java.util.List.of(new BuiltInEnvironments())).names(),
        new java.util.TreeSet<>(java.util.List.of("bandit", "navigation-2d", "oracle", "sinusoid", "tabular-mdp")));
  }

  @Test
  void when_a_name_is_taken_expect_an_error_naming_both_sources() {
    EnvRegistry own = EnvRegistry.empty().with("x", spec -> Navigation2D.standard());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> own.with("x", spec -> Navigation2D.standard()));
    assertEquals("environment 'x' is registered twice: by a registration of x and by a registration of x", e.getMessage());
    IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
        () -> EnvRegistry.of(java.util.List.of(new BuiltInEnvironments(), new BuiltInEnvironments())));
    assertTrue(twice.getMessage().matches("environment '[a-z0-9-]+' is registered twice: by io.maml4j.envs.BuiltInEnvironments"
        + " and by io.maml4j.envs.BuiltInEnvironments"), twice.getMessage());
  }

  @Test
  void when_a_registry_is_built_by_a_test_expect_it_independent_of_the_standard_one() {
    EnvRegistry own = EnvRegistry.empty().with("mine", spec -> {
      spec.finish();
      return new Navigation2D(0.1, 0.2, 7);
    });
    assertEquals(java.util.Set.of("mine"), own.names());
    assertEquals(7, own.create(Fields.parse("m.json", "{\"env\": \"mine\"}")).horizon());
    assertTrue(!EnvRegistry.standard().names().contains("mine"));
    ConfigException e = assertThrows(ConfigException.class,
        () -> own.create(Fields.parse("m.json", "{\"env\": \"navigation-2d\"}")));
    assertEquals("m.json: field 'env': expected one of [mine] or an environment of a plug-in jar on MAML4J_CLASSPATH"
        + " (its EnvRegistry.Provider listed in META-INF/services/io.maml4j.envs.EnvRegistry$Provider), got"
        + " \"navigation-2d\"", e.getMessage());
  }
}
