package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's environment that returns a NaN or a wrong-sized observation stops {@code train} with
 * one line naming the environment, the task and the step, and exit code 2, as bad input does.
 */
class EnvironmentFaultCommandTest {
  @TempDir Path dir;

  private String trainExpectingExitTwo(String fault, int step) throws Exception {
    Path spec = dir.resolve("faulty.json");
    Files.writeString(spec, "{\"env\": \"test-faulty\", \"fault\": \"" + fault + "\", \"step\": " + step
        + ", \"train\": {\"meta_batch_size\": 2, \"fast_batch_size\": 2}}");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    int code;
    try {
      code = Main.execute("train", "--env", spec.toString(), "--iterations", "2", "--out", dir.resolve("run").toString());
    } finally {
      System.setErr(old);
    }
    String all = err.toString(StandardCharsets.UTF_8).strip();
    assertEquals(2, code, all);
    // The run's opening status line, then the error: one line, no stack trace.
    String[] lines = all.split("\n");
    String text = lines[lines.length - 1];
    assertEquals(1, all.lines().filter(l -> l.startsWith("maml4j: error:") || l.startsWith("\tat ")).count(), all);
    assertTrue(lines.length <= 2 && lines[0].startsWith("maml4j: "), all);
    assertTrue(text.startsWith("maml4j: error: environment 'faulty-" + fault + "', task {goal=["), text);
    assertFalse(Files.exists(dir.resolve("run").resolve("checkpoint.json")));
    return text;
  }

  @Test
  void when_reward_is_nan_expect_one_line_and_exit_two() throws Exception {
    String text = trainExpectingExitTwo("nan_reward", 3);
    assertTrue(text.endsWith("episode 0, step 3: reward is NaN, expected a finite number"), text);
  }

  @Test
  void when_observation_is_one_short_expect_one_line_and_exit_two() throws Exception {
    String text = trainExpectingExitTwo("short_observation", 2);
    assertTrue(text.endsWith("episode 0, step 2: observation has 1 elements, expected 2 for Box[2] in [-Infinity, Infinity]"),
        text);
  }

  @Test
  void when_observation_is_one_long_expect_one_line_and_exit_two() throws Exception {
    String text = trainExpectingExitTwo("long_observation", 1);
    assertTrue(text.endsWith("episode 0, step 1: observation has 3 elements, expected 2 for Box[2] in [-Infinity, Infinity]"),
        text);
  }

  @Test
  void when_action_space_differs_from_the_distribution_expect_one_line_and_exit_two() throws Exception {
    String text = trainExpectingExitTwo("other_action_space", 1);
    assertTrue(text.endsWith("action space is Box[2] in [-1.0, 1.0], expected the distribution's Box[2] in [-0.1, 0.1]"),
        text);
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = Main.execute(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  @Test
  void when_check_env_meets_an_ignored_parameter_expect_one_line_and_exit_two() throws Exception {
    Path spec = dir.resolve("ignored.json");
    Files.writeString(spec, "{\"env\": \"test-faulty\", \"fault\": \"ignored_parameter\"}");
    Run r = run("check-env", spec.toString());
    assertEquals(2, r.code(), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("maml4j: error: environment 'faulty-ignored_parameter': task parameter 'friction' is"
        + " ignored"), r.err());
  }

  @Test
  void when_check_env_meets_a_nan_observation_expect_one_line_and_exit_two() throws Exception {
    Path spec = dir.resolve("nan.json");
    Files.writeString(spec, "{\"env\": \"test-faulty\", \"fault\": \"nan_observation\", \"step\": 2}");
    Run r = run("check-env", spec.toString());
    assertEquals(2, r.code(), r.err());
    assertTrue(r.err().strip().endsWith("episode 0, step 2: observation[1] is NaN, expected a finite number"), r.err());
  }

  @Test
  void when_check_env_passes_expect_each_check_listed_and_exit_zero() {
    Run r = run("check-env", "environments/navigation-2d.json", "--tasks", "3", "--episodes", "2");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals("maml4j: environments/navigation-2d.json: environment 'navigation-2d' keeps the contract", lines.get(0));
    assertEquals(7, lines.size(), r.out());
    assertTrue(lines.get(2).startsWith("  episodes: 600 steps in 6 episodes"), r.out());
  }
}
