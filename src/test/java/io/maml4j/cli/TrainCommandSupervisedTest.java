package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.maml4j.config.Fields;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code maml4j train} on the sinusoid and tabular-MDP specs. */
class TrainCommandSupervisedTest {
  @TempDir
  Path dir;

  @Test
  void when_training_on_the_sinusoid_spec_expect_adam_mse_and_the_specs_model() throws Exception {
    Path out = dir.resolve("sin");
    assertEquals(0, Main.execute("train", "--env", "environments/sinusoid.json", "--iterations", "3", "--out",
        out.toString(), "--log"));
    Fields cfg = Fields.read(out.resolve("config.json"));
    Fields train = cfg.object("train");
    assertEquals("adam", train.string("meta_optimizer"));
    assertEquals("mse", train.string("loss"));
    assertEquals("deterministic-mlp", cfg.object("policy").string("type"));
    assertEquals(3, Files.readAllLines(out.resolve("metrics.jsonl")).size());
    assertTrue(Files.exists(out.resolve("policy.json")));
  }

  @Test
  void when_training_on_the_tabular_mdp_spec_expect_a_run() {
    Path out = dir.resolve("mdp");
    assertEquals(0, Main.execute("train", "--env", "environments/tabular-mdp.json", "--iterations", "2",
        "--meta-batch-size", "3", "--fast-batch-size", "4", "--out", out.toString(), "--log"));
    assertTrue(Files.exists(out.resolve("policy.json")));
  }

  @Test
  void when_the_loss_does_not_fit_expect_exit_code_2() throws Exception {
    Path cfg = dir.resolve("bad.json");
    Files.writeString(cfg, "{\"loss\": \"reinforce\", \"meta_optimizer\": \"adam\"}");
    assertEquals(2, Main.execute("train", "--env", "environments/sinusoid.json", "--config", cfg.toString(),
        "--iterations", "1", "--out", dir.resolve("bad").toString()));
  }

  private static List<String> figures(Path metrics) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    for (String line : Files.readAllLines(metrics)) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      out.add(o.get("iteration") + " " + o.get("pre_return") + " " + o.get("post_return") + " " + o.get("loss_before"));
    }
    return out;
  }

  @Test
  void when_resuming_an_adam_run_expect_the_uninterrupted_figures_exactly() throws Exception {
    Path straight = dir.resolve("straight");
    Path resumed = dir.resolve("resumed");
    assertEquals(0, Main.execute("train", "--env", "environments/sinusoid.json", "--iterations", "4",
        "--meta-batch-size", "5", "--out", straight.toString(), "--log"));
    assertEquals(0, Main.execute("train", "--env", "environments/sinusoid.json", "--iterations", "2",
        "--meta-batch-size", "5", "--out", resumed.toString(), "--log"));
    assertTrue(Files.exists(resumed.resolve("optimizer.json")));
    assertEquals(0, Main.execute("train", "--env", "environments/sinusoid.json", "--iterations", "4",
        "--meta-batch-size", "5", "--out", resumed.toString(), "--resume", "--log"));
    assertEquals(figures(straight.resolve("metrics.jsonl")), figures(resumed.resolve("metrics.jsonl")));
    assertEquals(JsonParser.parseString(Files.readString(straight.resolve("policy.json"))).getAsJsonObject().get("params"),
        JsonParser.parseString(Files.readString(resumed.resolve("policy.json"))).getAsJsonObject().get("params"));
  }
}
