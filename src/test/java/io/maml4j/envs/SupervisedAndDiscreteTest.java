package io.maml4j.envs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import io.maml4j.policy.Policies;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.TrainConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The shipped specs of the sinusoid, bandit and tabular-MDP environments, and bad specs. */
class SupervisedAndDiscreteTest {
  private static TaskDistribution load(String file) {
    return EnvRegistry.standard().load(Path.of("environments", file));
  }

  @Test
  void when_loading_the_shipped_specs_expect_the_reference_settings() {
    TaskDistribution s = load("sinusoid.json");
    assertTrue(s instanceof Sinusoid);
    assertEquals(1, s.horizon());
    Fields f = Fields.read(Path.of("environments", "sinusoid.json"));
    TrainConfig c = TrainConfig.defaults().merge(f.object("train"));
    assertEquals("adam", c.metaOptimizer());
    assertEquals("mse", c.loss());
    assertEquals(25, c.metaBatchSize());
    assertEquals(10, c.fastBatchSize());
    assertEquals(0.01, c.maml().fastLr());
    assertEquals(0.001, c.metaLr());
    PolicySpec spec = PolicySpec.read(Fields.read(Path.of("environments", "sinusoid.json")).object("policy"));
    assertEquals("deterministic-mlp", spec.type());
    Policies.create(spec, s.observationSpace(), s.actionSpace());
    for (int k : new int[] {5, 10, 50}) {
      TaskDistribution b = load("bandit-k" + k + ".json");
      assertEquals("bandit-k" + k, b.name());
      assertEquals(k, ((BernoulliBandit) b).arms());
    }
    TabularMdp mdp = (TabularMdp) load("tabular-mdp.json");
    assertEquals(10, mdp.states());
    assertEquals(5, mdp.actions());
    assertEquals(10, mdp.horizon());
  }

  @Test
  void when_a_spec_is_wrong_expect_an_error_naming_the_field() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> EnvRegistry.standard().create(Fields.parse("b.json", "{\"env\": \"bandit\", \"arms\": 1}")));
    assertTrue(e.getMessage().contains("arms") && e.getMessage().contains("b.json"), e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> EnvRegistry.standard().create(Fields.parse("s.json", "{\"env\": \"sinusoid\", \"amplitude\": 1}")));
    assertTrue(e.getMessage().contains("unknown field 'amplitude'"), e.getMessage());
    e = assertThrows(ConfigException.class,
        () -> EnvRegistry.standard().create(Fields.parse("s.json", "{\"env\": \"sinusoid\", \"x_low\": 5, \"x_high\": -5}")));
    assertTrue(e.getMessage().contains("x range"), e.getMessage());
  }
}
