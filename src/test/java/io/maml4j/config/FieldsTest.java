package io.maml4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maml4j.policy.PolicySpec;
import io.maml4j.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FieldsTest {
  @TempDir Path dir;

  @Test
  void trainConfigRoundTripsThroughJson() {
    TrainConfig c = TrainConfig.defaults().toBuilder().metaBatchSize(7).fastBatchSize(3).numBatches(11).gamma(0.95)
        .gaeLambda(0.9).maml(new io.maml4j.meta.MamlConfig(0.05, 2, true, 0.02, 5, 1e-4, 9, 0.5)).dtype("float64")
        .seed(42).build();
    TrainConfig back = TrainConfig.defaults().merge(Fields.parse("mem", c.toJson().toString()));
    assertEquals(c, back);
  }

  @Test
  void policySpecRoundTripsThroughJson() {
    PolicySpec p = new PolicySpec("categorical-mlp", new int[] {32, 16, 8}, "relu", 0.5, 1e-3);
    assertEquals(p, PolicySpec.read(Fields.parse("mem", p.toJson().toString())));
  }

  @Test
  void unknownFieldNamesFileAndField() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainConfig.defaults().merge(Fields.parse("cfg.json", "{\"fast_lr\": 0.1, \"fastlr\": 2}")));
    assertEquals(true, e.getMessage().startsWith("cfg.json: unknown field 'fastlr'"));
  }

  @Test
  void outOfRangeAndWrongTypeValuesSayWhatWasExpected() {
    ConfigException neg = assertThrows(ConfigException.class,
        () -> TrainConfig.defaults().merge(Fields.parse("c.json", "{\"fast_lr\": -0.1}")));
    assertEquals("c.json: field 'fast_lr': expected a number greater than 0, got -0.1", neg.getMessage());
    ConfigException zero = assertThrows(ConfigException.class,
        () -> TrainConfig.defaults().merge(Fields.parse("c.json", "{\"meta_batch_size\": 0}")));
    assertEquals("c.json: field 'meta_batch_size': expected an integer in [1, 1048576], got 0", zero.getMessage());
    ConfigException type = assertThrows(ConfigException.class,
        () -> TrainConfig.defaults().merge(Fields.parse("c.json", "{\"first_order\": \"yes\"}")));
    assertEquals("c.json: field 'first_order': expected true or false, got \"yes\"", type.getMessage());
  }

  @Test
  void malformedAndMissingFilesAreOneLineErrors() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"env\": \"navigation-2d\",");
    ConfigException e = assertThrows(ConfigException.class, () -> Fields.read(bad));
    assertEquals(true, e.getMessage().startsWith(bad + ": malformed JSON"));
    ConfigException missing = assertThrows(ConfigException.class, () -> Fields.read(dir.resolve("nope.json")));
    assertEquals(dir.resolve("nope.json") + ": file not found", missing.getMessage());
  }
}
