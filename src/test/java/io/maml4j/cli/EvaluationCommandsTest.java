package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluate, compare, plot and paths commands end to end on tiny runs (one training
 * iteration, short horizon), and their one-line errors on bad input.
 */
class EvaluationCommandsTest {
  @TempDir
  static Path dir;

  static Path nav;
  static Path oracleEnv;

  /** Exit code and standard error of one command line. */
  record Outcome(int code, String err) {}

  static Outcome run(String... args) {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new Outcome(Main.execute(args), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(old);
    }
  }

  @BeforeAll
  static void trainTinyRuns() throws Exception {
    nav = dir.resolve("nav.json");
    Files.writeString(nav, "{\"env\": \"navigation-2d\", \"horizon\": 10}");
    oracleEnv = dir.resolve("oracle.json");
    Files.writeString(oracleEnv, "{\"env\": \"oracle\", \"base\": {\"env\": \"navigation-2d\", \"horizon\": 10}}");
    Path policy = dir.resolve("small.json");
    Files.writeString(policy, "{\"type\": \"gaussian-mlp\", \"hidden_sizes\": [8]}");
    String[] common = {"--iterations", "2", "--meta-batch-size", "2", "--fast-batch-size", "2", "--policy",
        policy.toString(), "--log"};
    assertEquals(0, run(concat(new String[] {"train", "--env", nav.toString(), "--out", dir.resolve("maml-seed1")
        .toString()}, common)).code());
    assertEquals(0, run(concat(new String[] {"train", "--env", nav.toString(), "--num-steps", "0", "--out",
        dir.resolve("pre-seed1").toString()}, common)).code());
    assertEquals(0, run(concat(new String[] {"train", "--env", oracleEnv.toString(), "--num-steps", "0", "--out",
        dir.resolve("oracle-seed1").toString()}, common)).code());
  }

  static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Test
  void when_train_finishes_expect_its_learning_curve() {
    assertTrue(Files.exists(dir.resolve("maml-seed1/plots/learning-curve.png")));
    assertTrue(Files.exists(dir.resolve("maml-seed1/plots/learning-curve.csv")));
  }

  @Test
  void when_compare_expect_chart_csv_and_json_for_four_methods() throws Exception {
    Path out = dir.resolve("cmp/compare.png");
    Outcome o = run("compare", "--env", nav.toString(), "--maml", dir.resolve("maml-seed1").toString(), "--pretrained",
        dir.resolve("pre-seed1/policy.json").toString(), "--oracle", dir.resolve("oracle-seed1").toString(),
        "--test-tasks", "3", "--episodes", "2", "--steps", "2", "--width", "400", "--height", "300", "--svg",
        "--out", out.toString());
    assertEquals(0, o.code(), o.err());
    JsonObject report = JsonParser.parseString(Files.readString(dir.resolve("cmp/compare.json"))).getAsJsonObject();
    assertEquals(4, report.getAsJsonArray("methods").size());
    assertEquals(3, report.getAsJsonObject("protocol").get("test_tasks").getAsInt());
    // header + 4 methods x 3 points
    assertEquals(1 + 4 * 3, Files.readAllLines(dir.resolve("cmp/compare.csv")).size());
    assertTrue(Files.exists(dir.resolve("cmp/compare.svg")));
    // The oracle already knows the task: cbfinn/maml_rl fine-tunes it with step size 0.
    String oracleSource = report.getAsJsonArray("methods").get(3).getAsJsonObject().get("source").getAsString();
    assertTrue(oracleSource.endsWith("(fine-tuning step size 0.0)"), oracleSource);
  }

  @Test
  void when_oracle_step_size_is_negative_expect_one_line_error() {
    Outcome o = run("compare", "--env", nav.toString(), "--maml", dir.resolve("maml-seed1").toString(), "--oracle",
        dir.resolve("oracle-seed1").toString(), "--oracle-fast-lr", "-0.1", "--out", dir.resolve("bad/c.png").toString());
    assertEquals(2, o.code());
    assertEquals("maml4j: error: --oracle-fast-lr must be a finite number >= 0, got -0.1", o.err().strip());
  }

  @Test
  void when_evaluate_plot_and_paths_expect_their_files() {
    Path e = dir.resolve("ev/e.png");
    Outcome o = run("evaluate", dir.resolve("maml-seed1").toString(), "--env", nav.toString(), "--test-tasks", "2",
        "--episodes", "2", "--steps", "1", "--out", e.toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(Files.exists(dir.resolve("ev/e.json")) && Files.exists(dir.resolve("ev/e.csv")));
    Outcome p = run("plot", dir.resolve("maml-seed1").toString(), "other=" + dir.resolve("pre-seed1"), "--x",
        "env_steps", "--out", dir.resolve("ev/lc.png").toString());
    assertEquals(0, p.code(), p.err());
    Outcome q = run("paths", dir.resolve("maml-seed1").toString(), "--env", nav.toString(), "--goals", "2",
        "--episodes", "2", "--steps", "1", "--out", dir.resolve("ev/paths.png").toString());
    assertEquals(0, q.code(), q.err());
    assertTrue(Files.exists(dir.resolve("ev/paths-goal2.png")) && Files.exists(dir.resolve("ev/paths-goal2.csv")));
  }

  private static void assertOneLineError(Outcome o, String fragment) {
    assertEquals(2, o.code(), o.err());
    String err = o.err().strip();
    assertTrue(err.startsWith("maml4j: error: ") && !err.contains("\n"), err);
    assertTrue(err.contains(fragment), err);
  }

  @Test
  void when_input_is_bad_expect_one_clear_error_line() throws Exception {
    // A policy whose spec does not fit the environment's spaces (oracle policy on plain navigation).
    assertOneLineError(run("evaluate", dir.resolve("oracle-seed1").toString(), "--env", nav.toString(),
        "--test-tasks", "2", "--out", dir.resolve("bad/x.png").toString()), "field 'params.layer0.weight.shape'");
    Path empty = Files.createDirectories(dir.resolve("empty-run"));
    Files.writeString(empty.resolve("metrics.jsonl"), "");
    assertOneLineError(run("plot", empty.toString(), "--out", dir.resolve("bad/y.png").toString()), "empty run");
    assertOneLineError(run("plot", dir.resolve("maml-seed1").toString(), "--metric", "nope", "--out",
        dir.resolve("bad/z.png").toString()), "no metric 'nope'");
    assertOneLineError(run("plot", dir.resolve("missing").toString()), "no metrics file");
    assertOneLineError(run("plot", dir.resolve("maml-seed1").toString(), "--width", "5"), "chart size");
  }
}
