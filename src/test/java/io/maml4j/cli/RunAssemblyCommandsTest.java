package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Commands that read a run take it from the run's own config.json: evaluate and paths need no
 * --env for a run directory, bench runs what the spec's train section says, and a policy with no
 * config.json beside it and no --env is one line.
 */
class RunAssemblyCommandsTest {
  @TempDir
  static Path dir;

  static Path spec;
  static Path run;

  record Outcome(int code, String out, String err) {
    List<String> errors() {
      return err.lines().filter(l -> l.startsWith("maml4j: error") || l.startsWith("maml4j: failed")
          || l.startsWith("Exception") || l.startsWith("\tat ")).toList();
    }
  }

  static Outcome run(String... args) {
    PrintStream oldErr = System.err;
    PrintStream oldOut = System.out;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args);
      return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(oldErr);
      System.setOut(oldOut);
    }
  }

  @BeforeAll
  static void trainTinyRun() throws Exception {
    spec = dir.resolve("nav.json");
    Files.writeString(spec, "{\"env\": \"navigation-2d\", \"horizon\": 10, \"policy\": {\"hidden_sizes\": [8]}}");
    run = dir.resolve("maml-seed1");
    Outcome o = run("train", "--env", spec.toString(), "--iterations", "1", "--meta-batch-size", "2",
        "--fast-batch-size", "2", "--threads", "1", "--out", run.toString(), "--log");
    assertEquals(0, o.code(), o.err());
  }

  private static JsonObject json(Path p) throws Exception {
    return JsonParser.parseString(Files.readString(p)).getAsJsonObject();
  }

  @Test
  void when_a_run_is_trained_expect_config_json_to_record_version_spec_and_threads() throws Exception {
    JsonObject c = json(run.resolve("config.json"));
    assertEquals(Main.VERSION, c.get("maml4j_version").getAsString());
    assertEquals(spec.toAbsolutePath().normalize().toString(), c.get("env_spec").getAsString());
    assertEquals(10, c.getAsJsonObject("env").get("horizon").getAsInt());
    assertEquals(1, c.get("threads").getAsInt());
    assertEquals(2, c.getAsJsonObject("train").get("meta_batch_size").getAsInt());
    assertEquals("[8]", c.getAsJsonObject("policy").get("hidden_sizes").toString());
  }

  @Test
  void when_evaluating_a_run_without_env_expect_the_returns_of_its_own_spec() throws Exception {
    String[] protocol = {"--test-tasks", "3", "--episodes", "2", "--steps", "1", "--width", "300", "--height", "200"};
    Outcome own = run(EvaluationCommandsTest.concat(new String[] {"evaluate", run.toString(), "--out",
        dir.resolve("own/e.png").toString()}, protocol));
    assertEquals(0, own.code(), own.err());
    Outcome given = run(EvaluationCommandsTest.concat(new String[] {"evaluate", run.toString(), "--env",
        spec.toString(), "--out", dir.resolve("given/e.png").toString()}, protocol));
    assertEquals(0, given.code(), given.err());
    Path longer = dir.resolve("nav-h20.json");
    Files.writeString(longer, "{\"env\": \"navigation-2d\", \"horizon\": 20}");
    Outcome other = run(EvaluationCommandsTest.concat(new String[] {"evaluate", run.toString(), "--env",
        longer.toString(), "--out", dir.resolve("other/e.png").toString()}, protocol));
    assertEquals(0, other.code(), other.err());
    JsonObject a = json(dir.resolve("own/e.json"));
    JsonObject b = json(dir.resolve("given/e.json"));
    assertEquals(b.getAsJsonArray("methods"), a.getAsJsonArray("methods"));
    assertEquals(b.get("protocol"), a.get("protocol"));
    // The returns depend on the spec: another horizon gives others, so the equality above is not vacuous.
    assertNotEquals(a.getAsJsonArray("methods"), json(dir.resolve("other/e.json")).getAsJsonArray("methods"));
  }

  @Test
  void when_drawing_paths_of_a_run_without_env_expect_its_goals() throws Exception {
    Outcome o = run("paths", run.resolve("policy.json").toString(), "--goals", "2", "--episodes", "2", "--steps", "1",
        "--width", "300", "--height", "300", "--out", dir.resolve("paths/p.png").toString());
    assertEquals(0, o.code(), o.err());
    assertTrue(Files.exists(dir.resolve("paths/p-goal2.png")));
    // Each path of horizon 10 has 11 points (start and one per step).
    List<String> csv = Files.readAllLines(dir.resolve("paths/p-goal1.csv"));
    assertTrue(csv.size() > 11, csv.size() + " lines");
  }

  @Test
  void when_a_policy_has_no_config_json_and_no_env_is_given_expect_one_line_asking_for_env() throws Exception {
    Path loose = Files.createDirectories(dir.resolve("policies"));
    Files.copy(run.resolve("policy.json"), loose.resolve("nav.json"));
    for (String command : List.of("evaluate", "paths")) {
      Outcome o = run(command, loose.resolve("nav.json").toString(), "--out", dir.resolve("x/" + command + ".png")
          .toString());
      assertEquals(2, o.code(), o.err());
      assertEquals(List.of("maml4j: error: " + loose.resolve("nav.json") + ": no config.json beside this policy file"
          + " to take the environment from; pass --env SPEC (e.g. --env environments/navigation-2d.json)"),
          o.errors());
      assertFalse(Files.exists(dir.resolve("x")));
    }
    Outcome withEnv = run("evaluate", loose.resolve("nav.json").toString(), "--env", spec.toString(), "--test-tasks",
        "2", "--episodes", "2", "--steps", "1", "--out", dir.resolve("x/e.png").toString());
    assertEquals(0, withEnv.code(), withEnv.err());
  }

  @Test
  void when_resume_has_no_out_expect_one_line_instead_of_a_default_spec() {
    Outcome o = run("train", "--resume");
    assertEquals(2, o.code(), o.err());
    assertEquals(List.of("maml4j: error: --resume needs --out RUN, the run directory to continue"), o.errors());
  }

  @Test
  void when_resume_takes_other_threads_expect_the_numbers_of_the_uninterrupted_run() throws Exception {
    // Task numbers do not depend on the thread count, so a resume may change it: one iteration on
    // one thread and a second on three give the run of two iterations on one thread, bit for bit.
    Path whole = dir.resolve("threads-whole");
    Path split = dir.resolve("threads-split");
    String[] common = {"train", "--env", spec.toString(), "--meta-batch-size", "3", "--fast-batch-size", "2", "--log"};
    assertEquals(0, run(concat(common, "--iterations", "2", "--threads", "1", "--out", whole.toString())).code());
    assertEquals(0, run(concat(common, "--iterations", "1", "--threads", "1", "--out", split.toString())).code());
    Outcome resumed = run("train", "--resume", "--out", split.toString(), "--iterations", "2", "--threads", "3",
        "--log");
    assertEquals(0, resumed.code(), resumed.err());
    assertEquals(withoutTimes(whole.resolve("metrics.jsonl")), withoutTimes(split.resolve("metrics.jsonl")));
    assertEquals(json(whole.resolve("policy.json")).get("params"), json(split.resolve("policy.json")).get("params"));
    assertEquals(3, json(split.resolve("config.json")).get("threads").getAsInt());
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static List<String> withoutTimes(Path metrics) throws Exception {
    return Files.readAllLines(metrics).stream().map(l -> {
      JsonObject o = JsonParser.parseString(l).getAsJsonObject();
      o.remove("time_sampling");
      o.remove("time_adaptation");
      o.remove("time_meta_step");
      return o.toString();
    }).toList();
  }

  @Test
  void when_benching_a_spec_expect_its_train_and_policy_sections_to_be_what_runs() throws Exception {
    Path small = dir.resolve("bench.json");
    Files.writeString(small, "{\"env\": \"navigation-2d\", \"horizon\": 5, \"policy\": {\"hidden_sizes\": [4]},"
        + " \"train\": {\"meta_batch_size\": 2, \"fast_batch_size\": 3}}");
    Outcome o = run("bench", "--env", small.toString(), "--iterations", "1", "--warmup", "0");
    assertEquals(0, o.code(), o.err());
    assertTrue(o.out().contains("navigation-2d, 2 tasks x 3 episodes, {\"type\":\"gaussian-mlp\",\"hidden_sizes\":[4],"),
        o.out());
    // 2 tasks x 3 episodes x 5 steps, sampled before and after adaptation.
    assertTrue(o.out().contains("env steps per iteration 60\n"), o.out());
  }

  @Test
  void when_no_env_is_given_and_the_default_spec_is_not_here_expect_one_line_asking_for_env() {
    Path absent = dir.resolve("environments/navigation-2d.json");
    io.maml4j.config.ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(
        io.maml4j.config.ConfigException.class, () -> new EnvOption().orDefault(absent));
    assertEquals("no --env given, and the default " + absent + " is not here (it is in the maml4j checkout); pass"
        + " --env SPEC", e.getMessage());
    EnvOption given = new EnvOption();
    given.env = spec;
    assertEquals(spec, given.orDefault(absent));
  }
}
