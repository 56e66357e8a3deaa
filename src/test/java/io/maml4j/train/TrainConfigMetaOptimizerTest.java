package io.maml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import org.junit.jupiter.api.Test;

/** The outer-step fields of the training config: defaults, JSON round trip and bad input. */
class TrainConfigMetaOptimizerTest {
  @Test
  void when_nothing_is_set_expect_trpo_on_reinforce() {
    TrainConfig d = TrainConfig.defaults();
    assertEquals("trpo", d.metaOptimizer());
    assertEquals("reinforce", d.loss());
    assertEquals(0.001, d.metaLr());
  }

  @Test
  void when_written_and_read_back_expect_the_same_config() {
    TrainConfig c = TrainConfig.defaults().merge(Fields.parse("t",
        "{\"meta_optimizer\": \"adam\", \"meta_lr\": 0.005, \"loss\": \"mse\", \"meta_batch_size\": 25}"));
    assertEquals("adam", c.metaOptimizer());
    assertEquals(0.005, c.metaLr());
    assertEquals("mse", c.loss());
    TrainConfig back = TrainConfig.defaults().merge(Fields.parse("round trip", c.toJson().toString()));
    assertEquals(c, back);
    assertEquals(TrainConfig.defaults(),
        TrainConfig.defaults().merge(Fields.parse("d", TrainConfig.defaults().toJson().toString())));
  }

  @Test
  void when_fields_are_wrong_expect_one_line_errors_naming_them() {
    ConfigException e = assertThrows(ConfigException.class, () -> TrainConfig.defaults()
        .merge(Fields.parse("cfg.json", "{\"meta_optimizer\": \"sgd\"}")));
    assertTrue(e.getMessage().contains("meta_optimizer") && e.getMessage().contains("cfg.json"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainConfig.defaults()
        .merge(Fields.parse("cfg.json", "{\"loss\": \"mse\"}")));
    assertTrue(e.getMessage().contains("trpo") && e.getMessage().contains("adam"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainConfig.defaults()
        .merge(Fields.parse("cfg.json", "{\"meta_lr\": -1}")));
    assertTrue(e.getMessage().contains("meta_lr"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainConfig.defaults()
        .merge(Fields.parse("cfg.json", "{\"meta_optimiser\": \"adam\"}")));
    assertTrue(e.getMessage().contains("unknown field 'meta_optimiser'"), e.getMessage());
  }

  @Test
  void when_inner_estimator_is_set_expect_it_recorded_and_checked() {
    assertEquals("reinforce", TrainConfig.defaults().innerEstimator());
    TrainConfig c = TrainConfig.defaults().merge(Fields.parse("t", "{\"inner_estimator\": \"dice\"}"));
    assertEquals("dice", c.innerEstimator());
    assertEquals("dice", c.toJson().get("inner_estimator").getAsString());
    assertEquals(c, TrainConfig.defaults().merge(Fields.parse("round trip", c.toJson().toString())));
    ConfigException e = assertThrows(ConfigException.class, () -> TrainConfig.defaults()
        .merge(Fields.parse("cfg.json", "{\"inner_estimator\": \"gae\"}")));
    assertTrue(e.getMessage().startsWith("cfg.json: ") && e.getMessage().contains("inner_estimator")
        && e.getMessage().contains("[reinforce, lvc, dice]"), e.getMessage());
    e = assertThrows(ConfigException.class, () -> TrainConfig.defaults().merge(Fields.parse("cfg.json",
        "{\"meta_optimizer\": \"adam\", \"loss\": \"mse\", \"inner_estimator\": \"lvc\"}")));
    assertTrue(e.getMessage().contains("inner_estimator \"lvc\"") && e.getMessage().contains("needs loss"),
        e.getMessage());
  }
}
