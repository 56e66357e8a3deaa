package io.maml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.policy.PolicySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The run record: validated when built, resolved in layers, and recorded whole in config.json. */
class RunConfigTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private static EnvSpec nav() {
    return new EnvSpec(null, JsonParser.parseString("{\"env\": \"navigation-2d\", \"horizon\": 5}").getAsJsonObject());
  }

  @Test
  void when_a_part_is_missing_or_out_of_range_expect_the_constructor_to_say_which() {
    PolicySpec p = PolicySpec.defaultGaussian();
    TrainConfig t = TrainConfig.defaults();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new RunConfig("0.1.0", nav(), p, t, 0));
    assertEquals("threads must be in [1, 4096], got 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new RunConfig(" ", nav(), p, t, 1));
    assertTrue(e.getMessage().startsWith("maml4j_version must be a version string"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new RunConfig("0.1.0", nav(), null, t, 1));
    assertTrue(e.getMessage().startsWith("a run needs an environment spec, a policy spec and a training config"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> new EnvSpec(null, JsonParser.parseString("{\"horizon\": 5}").getAsJsonObject()));
    assertTrue(e.getMessage().startsWith("an environment spec needs an \"env\" field"), e.getMessage());
  }

  @Test
  void when_the_spec_json_is_changed_outside_expect_the_record_unchanged() {
    JsonObject j = JsonParser.parseString("{\"env\": \"navigation-2d\"}").getAsJsonObject();
    EnvSpec s = new EnvSpec(null, j);
    j.addProperty("horizon", 3);
    s.json().addProperty("horizon", 4);
    assertEquals(JsonParser.parseString("{\"env\": \"navigation-2d\"}"), s.json());
  }

  @Test
  void when_resolved_expect_spec_then_config_file_then_options_in_that_order() throws Exception {
    Path spec = write("e.json", "{\"env\": \"navigation-2d\", \"horizon\": 5, \"train\": {\"meta_batch_size\": 5,"
        + " \"fast_batch_size\": 4, \"gamma\": 0.9}, \"policy\": {\"hidden_sizes\": [8]}}");
    Fields file = Fields.parse("c.json", "{\"meta_batch_size\": 6, \"fast_batch_size\": 3}");
    Fields option = Fields.parse("--meta-batch-size 7", "{\"meta_batch_size\": 7}");
    Run run = Run.resolve(spec, null, List.of(file, option), 3);
    assertEquals(7, run.train().metaBatchSize());
    assertEquals(3, run.train().fastBatchSize());
    assertEquals(0.9, run.train().gamma());
    assertEquals(List.of(8), java.util.Arrays.stream(run.config().policy().hiddenSizes()).boxed().toList());
    assertEquals(3, run.config().threads());
    assertEquals(spec.toAbsolutePath().normalize().toString(), run.config().env().file());
    assertEquals(5, run.distribution().horizon());
  }

  @Test
  void when_written_to_config_json_and_read_back_expect_an_equal_record() throws Exception {
    Path spec = write("e.json", "{\"env\": \"navigation-2d\", \"horizon\": 5, \"train\": {\"meta_optimizer\": \"adam\","
        + " \"meta_lr\": 0.01}}");
    Run run = Run.resolve(spec, null, List.of(Fields.parse("o", "{\"seed\": 9, \"first_order\": true,"
        + " \"dtype\": \"float64\"}")), 3);
    RunDirectory files = new RunDirectory(dir.resolve("run"), run.config().policy());
    files.writeConfig(run.config().toJson());
    RunConfig back = RunConfig.read(files.config());
    assertEquals(run.config(), back);
    JsonObject written = JsonParser.parseString(Files.readString(files.config())).getAsJsonObject();
    assertEquals(RunConfig.VERSION, written.get("maml4j_version").getAsString());
    assertEquals(3, written.get("threads").getAsInt());
    assertEquals(9, written.getAsJsonObject("train").get("seed").getAsLong());
    // The copy of the spec stands in for the file when it is gone.
    Files.delete(spec);
    Run again = Run.read(files.config());
    assertEquals(run.config(), again.config());
    assertEquals(5, again.distribution().horizon());
  }

  @Test
  void when_config_json_records_the_cluster_it_ran_on_expect_the_same_run_back() throws Exception {
    // train --cluster records where the run ran; it decides no number, and a resume must read it.
    Run run = Run.resolve(write("e.json", "{\"env\": \"navigation-2d\", \"horizon\": 5}"), null, List.of(), 1);
    JsonObject o = run.config().toJson();
    o.add("cluster", JsonParser.parseString("{\"name\": \"maml4j\", \"workers\": 3}"));
    Path c = write("config.json", o.toString());
    assertEquals(run.config(), RunConfig.read(c));
  }

  @Test
  void when_config_json_has_a_stray_field_or_no_env_expect_one_line_naming_it() throws Exception {
    Run run = Run.resolve(write("e.json", "{\"env\": \"navigation-2d\", \"horizon\": 5}"), null, List.of(), 1);
    JsonObject o = run.config().toJson();
    o.addProperty("extra", 1);
    Path c = write("config.json", o.toString());
    ConfigException e = assertThrows(ConfigException.class, () -> RunConfig.read(c));
    assertTrue(e.getMessage().startsWith(c + ": unknown field 'extra'"), e.getMessage());
    o.remove("extra");
    o.remove("env");
    Files.writeString(c, o.toString());
    e = assertThrows(ConfigException.class, () -> RunConfig.read(c));
    assertEquals(c + ": missing required field 'env'", e.getMessage());
    o = run.config().toJson();
    o.addProperty("threads", 0);
    Files.writeString(c, o.toString());
    e = assertThrows(ConfigException.class, () -> RunConfig.read(c));
    assertEquals(c + ": field 'threads': expected an integer in [1, 4096], got 0", e.getMessage());
  }

  @Test
  void when_a_saved_policy_has_another_spec_expect_load_to_name_the_file() throws Exception {
    Run run = Run.resolve(write("e.json", "{\"env\": \"navigation-2d\", \"horizon\": 5}"), null, List.of(), 1);
    Run other = Run.resolve(write("e2.json", "{\"env\": \"navigation-2d\", \"horizon\": 5, \"policy\":"
        + " {\"hidden_sizes\": [4]}}"), null, List.of(), 1);
    Path ck = dir.resolve("ck.json");
    new Checkpoint(other.config().policy(), other.trainer(other.metaLearner()).initialParams(), 1, 0).save(ck);
    ConfigException e = assertThrows(ConfigException.class, () -> run.load(ck));
    assertTrue(e.getMessage().startsWith(ck + ": field 'policy': expected "), e.getMessage());
    assertEquals(1, other.load(ck).iteration());
  }

  @Test
  void when_a_builder_changes_one_field_of_an_adam_config_expect_the_rest_kept() {
    TrainConfig adam = TrainConfig.defaults().merge(Fields.parse("t", "{\"meta_optimizer\": \"adam\", \"meta_lr\":"
        + " 0.005, \"loss\": \"mse\", \"fast_lr\": 0.3}"));
    TrainConfig changed = adam.toBuilder().fastBatchSize(3).numBatches(2).build();
    assertEquals("adam", changed.metaOptimizer());
    assertEquals(0.005, changed.metaLr());
    assertEquals("mse", changed.loss());
    assertEquals(0.3, changed.maml().fastLr());
    assertEquals(3, changed.fastBatchSize());
    assertNotEquals(adam, changed);
    assertEquals(adam, changed.toBuilder().fastBatchSize(adam.fastBatchSize()).numBatches(adam.numBatches()).build());
    assertEquals(TrainConfig.fieldNames(), List.copyOf(TrainConfig.defaults().toJson().keySet()));
  }
}
