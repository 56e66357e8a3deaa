package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code evaluate} and {@code compare} adapt with a run's own inner estimator: a DiCE run's
 * config.json makes them take DiCE steps, {@code --inner-estimator} chooses for a policy file without
 * a run beside it.
 */
class EvaluateInnerEstimatorTest {
  @TempDir
  static Path dir;

  static Path nav;
  static Path run;

  @BeforeAll
  static void trainTinyDiceRun() throws Exception {
    nav = dir.resolve("nav.json");
    Files.writeString(nav, "{\"env\": \"navigation-2d\", \"horizon\": 10}");
    Path policy = dir.resolve("small.json");
    Files.writeString(policy, "{\"type\": \"gaussian-mlp\", \"hidden_sizes\": [8]}");
    run = dir.resolve("dice-seed1");
    EvaluationCommandsTest.Outcome o = EvaluationCommandsTest.run("train", "--env", nav.toString(), "--iterations", "1",
        "--meta-batch-size", "2", "--fast-batch-size", "2", "--policy", policy.toString(), "--inner-estimator", "dice",
        "--log", "--out", run.toString());
    assertEquals(0, o.code(), o.err());
  }

  /** evaluate's report (its JSON) for these arguments after the common protocol options. */
  private static JsonObject evaluate(String name, String... extra) throws Exception {
    Path png = dir.resolve("ev/" + name + ".png");
    String[] common = {"evaluate", "--test-tasks", "3", "--episodes", "2", "--steps", "2", "--out", png.toString()};
    EvaluationCommandsTest.Outcome o = EvaluationCommandsTest.run(EvaluationCommandsTest.concat(common, extra));
    assertEquals(0, o.code(), o.err());
    return JsonParser.parseString(Files.readString(dir.resolve("ev/" + name + ".json"))).getAsJsonObject();
  }

  private static double[] taskReturns(JsonObject report, int step) {
    JsonArray steps = report.getAsJsonArray("methods").get(0).getAsJsonObject().getAsJsonArray("steps");
    JsonArray per = steps.get(step).getAsJsonObject().getAsJsonArray("task_returns");
    double[] out = new double[per.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = per.get(i).getAsDouble();
    }
    return out;
  }

  @Test
  void when_the_run_trained_with_dice_expect_evaluate_to_take_dice_steps_unless_told_otherwise() throws Exception {
    JsonObject own = evaluate("own", run.toString());
    assertEquals("dice", own.getAsJsonObject("protocol").get("inner_estimator").getAsString());
    JsonObject reinforce = evaluate("reinforce", run.toString(), "--inner-estimator", "reinforce");
    assertEquals("reinforce", reinforce.getAsJsonObject("protocol").get("inner_estimator").getAsString());
    // Same tasks and episodes before adapting; the estimators part at the first step.
    assertArrayEquals(taskReturns(reinforce, 0), taskReturns(own, 0), 0);
    assertFalse(Arrays.equals(taskReturns(reinforce, 1), taskReturns(own, 1)));
    // A policy file away from its run (as in policies/) is evaluated the same with the option.
    Path copy = dir.resolve("elsewhere/policy-copy.json");
    Files.createDirectories(copy.getParent());
    Files.copy(run.resolve("policy.json"), copy);
    JsonObject file = evaluate("file", copy.toString(), "--env", nav.toString(), "--inner-estimator", "dice");
    for (int s = 0; s <= 2; s++) {
      assertArrayEquals(taskReturns(own, s), taskReturns(file, s), 0, "step " + s);
    }
    JsonObject plain = evaluate("plain", copy.toString(), "--env", nav.toString());
    assertEquals("reinforce", plain.getAsJsonObject("protocol").get("inner_estimator").getAsString());
    assertArrayEquals(taskReturns(reinforce, 1), taskReturns(plain, 1), 0);
  }

  @Test
  void when_compare_gets_a_dice_run_expect_it_to_adapt_as_evaluate_does() throws Exception {
    JsonObject own = evaluate("own-for-compare", run.toString());
    Path png = dir.resolve("cmp/compare.png");
    EvaluationCommandsTest.Outcome o = EvaluationCommandsTest.run("compare", "--maml", run.toString(), "--no-random",
        "--test-tasks", "3", "--episodes", "2", "--steps", "2", "--out", png.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(o.err().contains("DiCE step"), o.err());
    JsonObject cmp = JsonParser.parseString(Files.readString(dir.resolve("cmp/compare.json"))).getAsJsonObject();
    assertEquals("dice", cmp.getAsJsonObject("protocol").get("inner_estimator").getAsString());
    for (int s = 0; s <= 2; s++) {
      assertArrayEquals(taskReturns(own, s), taskReturns(cmp, s), 0, "step " + s);
    }
  }

  @Test
  void when_the_estimator_option_is_unknown_expect_one_line_error() {
    EvaluationCommandsTest.Outcome o = EvaluationCommandsTest.run("evaluate", run.toString(), "--inner-estimator",
        "dise", "--out", dir.resolve("bad/e.png").toString());
    assertEquals(2, o.code(), o.err());
    assertEquals("maml4j: error: option '--inner-estimator': expected one of [reinforce, lvc, dice], got 'dise'",
        o.err().strip());
    assertFalse(Files.exists(dir.resolve("bad/e.json")));
    assertTrue(o.err().strip().lines().count() == 1);
  }
}
