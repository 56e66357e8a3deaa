package io.maml4j.envs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.Environment;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OracleTest {
  @Test
  void when_navigating_expect_goal_appended_and_rewards_unchanged() {
    Navigation2D nav = Navigation2D.standard();
    Oracle oracle = Oracle.of(nav);
    assertEquals(List.of("goal"), oracle.params());
    assertEquals(4, oracle.observationSpace().flatSize());
    assertEquals(nav.actionSpace(), oracle.actionSpace());
    Task t = Navigation2D.goal(0.3, -0.2);
    try (Environment plain = nav.make(t); Environment seen = oracle.make(t)) {
      assertArrayEquals(new double[] {0, 0, 0.3, -0.2}, seen.reset(1), 0);
      plain.reset(1);
      for (int i = 0; i < 5; i++) {
        double[] a = {0.05, -0.02 * i};
        StepResult p = plain.step(a);
        StepResult s = seen.step(a);
        assertEquals(p.reward(), s.reward(), 0);
        assertArrayEquals(new double[] {p.observation()[0], p.observation()[1], 0.3, -0.2}, s.observation(), 0);
        assertTrue(oracle.observationSpace().contains(s.observation()));
      }
    }
  }

  @Test
  void when_spec_names_oracle_expect_wrapped_navigation() {
    TaskDistribution d = EnvRegistry.standard().load(Path.of("environments/navigation-2d-oracle.json"));
    assertEquals("navigation-2d-oracle", d.name());
    assertEquals(4, d.observationSpace().flatSize());
    assertEquals(100, d.horizon());
  }

  @Test
  void when_param_is_not_numeric_or_missing_expect_error() {
    assertThrows(IllegalArgumentException.class, () -> new Oracle(Navigation2D.standard(), List.of("speed")));
    Fields bad = Fields.parse("spec", "{\"env\": \"oracle\", \"base\": {\"env\": \"navigation-2d\"}, \"params\": [1]}");
    ConfigException e = assertThrows(ConfigException.class, () -> EnvRegistry.standard().create(bad));
    assertTrue(e.getMessage().contains("params"), e.getMessage());
  }
}
