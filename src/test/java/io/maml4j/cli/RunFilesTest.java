package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Run directories end to end: a resume continues exactly the run on disk or refuses in one line,
 * before writing anything; a new run never mixes with an old one; write failures are one line.
 */
class RunFilesTest {
  @TempDir Path dir;

  private record Result(int code, String err) {
    /** The error lines (progress and "wrote" lines are not errors). */
    List<String> errors() {
      return err.lines().filter(l -> l.startsWith("maml4j: error") || l.startsWith("maml4j: failed")
          || l.startsWith("Exception") || l.startsWith("\tat ")).toList();
    }
  }

  private Result run(String... args) {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      return new Result(Main.execute(args), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(old);
    }
  }

  private Path spec;
  private Path cfg;

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  /** A tiny 2D-navigation run of {@code n} iterations into {@code out}. */
  private Result train(Path out, int n, String... extra) throws Exception {
    if (spec == null) {
      spec = write("e.json", "{\"env\": \"navigation-2d\", \"horizon\": 8}");
      cfg = write("t.json", "{\"meta_batch_size\": 2, \"fast_batch_size\": 2}");
    }
    List<String> args = new ArrayList<>(List.of("train", "--env", spec.toString(), "--config", cfg.toString(),
        "--iterations", String.valueOf(n), "--out", out.toString(), "--log"));
    args.addAll(List.of(extra));
    return run(args.toArray(String[]::new));
  }

  private static Map<String, String> snapshot(Path run) throws Exception {
    Map<String, String> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(run)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        m.put(run.relativize(p).toString(), new String(Files.readAllBytes(p), StandardCharsets.ISO_8859_1));
      }
    }
    return m;
  }

  /** The figures of each metrics line without the timings, which differ run to run. */
  private static List<String> figures(Path run) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(run.resolve("metrics.jsonl"))) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      out.add(o.get("iteration") + " " + o.get("pre_return") + " " + o.get("post_return") + " " + o.get("loss_after"));
    }
    return out;
  }

  private static void assertOneLine(Result r, String expectedStart) {
    assertEquals(1, r.errors().size(), r.err);
    assertTrue(r.errors().get(0).startsWith(expectedStart), r.err);
  }

  @Test
  void when_killed_after_the_first_metrics_line_before_the_first_checkpoint_expect_resume_without_duplicates()
      throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(0, train(whole, 2).code);
    Path killed = dir.resolve("killed");
    assertEquals(0, train(killed, 2).code);
    // What kill -9 between the first metrics append and the first checkpoint leaves behind.
    Files.delete(killed.resolve("checkpoint.json"));
    Files.delete(killed.resolve("policy.json"));
    Files.writeString(killed.resolve("metrics.jsonl"), Files.readAllLines(killed.resolve("metrics.jsonl")).get(0) + "\n");
    Result r = run("train", "--resume", "--out", killed.toString(), "--log");
    assertEquals(0, r.code, r.err);
    assertEquals(figures(whole), figures(killed));
  }

  @Test
  void when_a_directory_holds_only_metrics_expect_a_new_run_to_refuse_it() throws Exception {
    Path out = dir.resolve("run");
    Files.createDirectories(out);
    String line = "{\"iteration\": 0, \"pre_return\": -1.0}\n";
    Files.writeString(out.resolve("metrics.jsonl"), line);
    Result r = train(out, 1);
    assertEquals(2, r.code, r.err);
    assertOneLine(r, "maml4j: error: " + out.resolve("metrics.jsonl") + ": a run already exists here");
    assertEquals(Map.of("metrics.jsonl", line), snapshot(out));
  }

  @Test
  void when_a_middle_metrics_line_is_damaged_expect_resume_to_name_the_file_and_line() throws Exception {
    Path out = dir.resolve("run");
    assertEquals(0, train(out, 3).code);
    List<String> lines = new ArrayList<>(Files.readAllLines(out.resolve("metrics.jsonl")));
    lines.set(1, "{\"iteration\": 1, \"pre_ret");
    Files.writeString(out.resolve("metrics.jsonl"), String.join("\n", lines) + "\n");
    Map<String, String> before = snapshot(out);
    Result r = run("train", "--resume", "--out", out.toString(), "--iterations", "4");
    assertEquals(2, r.code, r.err);
    assertOneLine(r, "maml4j: error: " + out.resolve("metrics.jsonl") + ": line 2 is not a JSON object of metrics");
    assertEquals(before, snapshot(out));
  }

  @Test
  void when_a_partial_last_metrics_line_is_left_expect_resume_to_drop_it() throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(0, train(whole, 3).code);
    Path out = dir.resolve("run");
    assertEquals(0, train(out, 2).code);
    Files.writeString(out.resolve("metrics.jsonl"), "{\"iteration\": 2, \"pre_re", java.nio.file.StandardOpenOption.APPEND);
    Result r = run("train", "--resume", "--out", out.toString(), "--iterations", "3", "--log");
    assertEquals(0, r.code, r.err);
    assertEquals(figures(whole), figures(out));
  }

  @Test
  void when_resume_is_given_a_differing_option_expect_one_line_naming_it_and_nothing_written() throws Exception {
    Path out = dir.resolve("run");
    assertEquals(0, train(out, 1).code);
    Path otherEnv = write("e2.json", "{\"env\": \"navigation-2d\", \"horizon\": 9}");
    Path otherCfg = write("t2.json", "{\"meta_batch_size\": 3}");
    Path otherPolicy = write("p2.json", "{\"hidden_sizes\": [8]}");
    Map<String, String> before = snapshot(out);
    String[][] cases = {
        {"--seed", "7"}, {"--fast-lr", "0.5"}, {"--meta-batch-size", "3"}, {"--fast-batch-size", "3"},
        {"--num-steps", "2"}, {"--dtype", "float64"}, {"--first-order"}, {"--env", otherEnv.toString()},
        {"--config", otherCfg.toString()}, {"--policy", otherPolicy.toString()}};
    for (String[] c : cases) {
      List<String> args = new ArrayList<>(List.of("train", "--resume", "--out", out.toString(), "--iterations", "2"));
      args.addAll(List.of(c));
      Result r = run(args.toArray(String[]::new));
      assertEquals(2, r.code, String.join(" ", c) + ": " + r.err);
      assertOneLine(r, "maml4j: error: --resume: " + c[0]);
      assertEquals(before, snapshot(out), String.join(" ", c));
    }
  }

  @Test
  void when_resume_repeats_the_run_s_own_options_expect_it_to_continue() throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(0, train(whole, 3).code);
    Path out = dir.resolve("run");
    assertEquals(0, train(out, 2).code);
    Result r = train(out, 3, "--resume", "--seed", "1", "--meta-batch-size", "2");
    assertEquals(0, r.code, r.err);
    assertEquals(figures(whole), figures(out));
  }

  @Test
  void when_resumed_without_env_expect_the_run_s_own_spec_even_if_its_file_is_gone() throws Exception {
    Path whole = dir.resolve("whole");
    assertEquals(0, train(whole, 3).code);
    Path out = dir.resolve("run");
    assertEquals(0, train(out, 2).code);
    // As from another working directory: the spec file the run names is not there.
    Files.delete(spec);
    Result r = run("train", "--resume", "--out", out.toString(), "--iterations", "3", "--log");
    assertEquals(0, r.code, r.err);
    assertEquals(figures(whole), figures(out));
    JsonObject config = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
    assertEquals(8, config.getAsJsonObject("env").get("horizon").getAsInt());
    assertEquals(3, config.getAsJsonObject("train").get("num_batches").getAsInt());
    assertEquals(2, config.getAsJsonObject("train").get("meta_batch_size").getAsInt());
  }

  /** Rewrites one parameter of the run's checkpoint. */
  private static void editParam(Path run, java.util.function.Consumer<JsonObject> edit) throws Exception {
    Path ck = run.resolve("checkpoint.json");
    JsonObject o = JsonParser.parseString(Files.readString(ck)).getAsJsonObject();
    edit.accept(o.getAsJsonObject("params"));
    Files.writeString(ck, o.toString());
  }

  @Test
  void when_checkpoint_parameters_do_not_fit_the_policy_expect_one_line_naming_the_parameter_before_any_write()
      throws Exception {
    Path out = dir.resolve("run");
    assertEquals(0, train(out, 1).code);
    String pristine = Files.readString(out.resolve("checkpoint.json"));
    Path ck = out.resolve("checkpoint.json");
    record Case(String name, java.util.function.Consumer<JsonObject> edit, String message) {}
    List<Case> cases = List.of(
        new Case("transposed", p -> {
          JsonArray s = p.getAsJsonObject("layer0.weight").getAsJsonArray("shape");
          JsonArray t = new JsonArray();
          t.add(s.get(1));
          t.add(s.get(0));
          p.getAsJsonObject("layer0.weight").add("shape", t);
        }, ck + ": field 'params.layer0.weight.shape': expected [2, 64]"),
        new Case("missing", p -> p.remove("layer1.bias"), ck + ": field 'params': expected a parameter 'layer1.bias'"),
        new Case("extra", p -> p.add("layer9.weight", p.get("log_std")),
            ck + ": field 'params.layer9.weight': expected only the policy's parameters"),
        new Case("negative", p -> {
          JsonArray s = new JsonArray();
          s.add(-1);
          s.add(-2);
          p.getAsJsonObject("log_std").add("shape", s);
        }, ck + ": field 'params.log_std.shape': expected a list of positive integers"),
        new Case("nan", p -> p.getAsJsonObject("log_std").getAsJsonArray("data").set(0, new com.google.gson.JsonPrimitive("NaN")),
            ck + ": field 'params.log_std.data': expected finite numbers"));
    for (Case c : cases) {
      Files.writeString(ck, pristine);
      editParam(out, c.edit);
      Map<String, String> before = snapshot(out);
      Result r = run("train", "--resume", "--out", out.toString(), "--iterations", "2");
      assertEquals(2, r.code, c.name + ": " + r.err);
      assertOneLine(r, "maml4j: error: " + c.message);
      assertEquals(before, snapshot(out), c.name);
    }
  }

  @Test
  void when_the_checkpoint_is_past_the_iterations_asked_for_expect_it_said_and_nothing_written() throws Exception {
    Path out = dir.resolve("run");
    assertEquals(0, train(out, 1).code);
    Path ck = out.resolve("checkpoint.json");
    JsonObject o = JsonParser.parseString(Files.readString(ck)).getAsJsonObject();
    o.addProperty("iteration", 1000);
    Files.writeString(ck, o.toString());
    Map<String, String> before = snapshot(out);
    Result r = run("train", "--resume", "--out", out.toString(), "--iterations", "16");
    assertEquals(2, r.code, r.err);
    assertOneLine(r, "maml4j: error: " + ck + ": at iteration 1000, past the 16 iterations asked for");
    assertEquals(before, snapshot(out));
  }

  @Test
  void when_zero_iterations_run_expect_no_claim_of_metrics_or_policy() throws Exception {
    Path out = dir.resolve("run");
    Result r = train(out, 0);
    assertEquals(0, r.code, r.err);
    assertFalse(Files.exists(out.resolve("policy.json")));
    assertFalse(Files.exists(out.resolve("metrics.jsonl")));
    String wrote = r.err.lines().filter(l -> l.startsWith("maml4j: wrote")).findFirst().orElseThrow();
    assertFalse(wrote.contains("policy.json"), wrote);
    assertFalse(wrote.contains("metrics.jsonl"), wrote);
    assertTrue(wrote.contains("config.json"), wrote);
  }

  @Test
  void when_resume_finds_nothing_to_resume_expect_one_line() throws Exception {
    Path out = dir.resolve("empty");
    Result r = run("train", "--resume", "--out", out.toString());
    assertEquals(2, r.code, r.err);
    assertOneLine(r, "maml4j: error: " + out + ": nothing to resume here");
    assertFalse(Files.exists(out));
  }

  @Test
  void when_the_run_directory_cannot_be_written_expect_one_line_and_exit_one() throws Exception {
    Path blocker = write("blocker", "a file, not a directory");
    Result r = train(blocker.resolve("run"), 1);
    assertEquals(1, r.code, r.err);
    assertOneLine(r, "maml4j: error: cannot write " + blocker.resolve("run").resolve("config.json").toAbsolutePath());
  }

  @Test
  void when_the_policy_is_too_large_expect_one_line_naming_hidden_sizes() throws Exception {
    Path p = write("huge.json", "{\"hidden_sizes\": [65536, 65536]}");
    Result r = train(dir.resolve("run"), 1, "--policy", p.toString());
    assertEquals(2, r.code, r.err);
    assertOneLine(r, "maml4j: error: " + p + ": field 'hidden_sizes': expected layers of at most 10000000 parameters");
    assertFalse(Files.exists(dir.resolve("run")));
  }

  @Test
  void when_a_chart_cannot_be_written_expect_one_line_and_exit_one() throws Exception {
    Path run = dir.resolve("run");
    write("run/metrics.jsonl", "{\"iteration\": 0, \"pre_return\": -3.0, \"post_return\": -2.0}\n"
        + "{\"iteration\": 1, \"pre_return\": -2.5, \"post_return\": -1.5}\n");
    Path blocker = write("file", "not a directory");
    Result r = run("plot", run.toString(), "--out", blocker.resolve("curve.png").toString());
    assertEquals(1, r.code, r.err);
    assertOneLine(r, "maml4j: error: cannot write " + blocker.resolve("curve.png").toAbsolutePath() + ": " + blocker
        + " is in the way");
    assertEquals("not a directory", Files.readString(blocker));
  }
}
