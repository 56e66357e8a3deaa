package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end: exit codes and one-line errors for bad input, files of a run. */
class MainTest {
  @TempDir Path dir;

  private record Result(int code, String err) {}

  private Result run(String... args) {
    PrintStream oldErr = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true));
    try {
      picocli.CommandLine cl = new picocli.CommandLine(new Main());
      cl.setErr(new java.io.PrintWriter(err, true));
      int code = Main.execute(args);
      return new Result(code, err.toString());
    } finally {
      System.setErr(oldErr);
    }
  }

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  @Test
  void unknownEnvironmentIsOneLineAndExitTwo() throws Exception {
    Path spec = write("e.json", "{\"env\": \"navigation-3d\"}");
    Result r = run("train", "--env", spec.toString(), "--out", dir.resolve("run").toString());
    assertEquals(2, r.code);
    assertTrue(r.err.contains(spec + ": field 'env': expected one of ["), r.err);
  }

  @Test
  void badHyperparameterIsOneLineAndExitTwo() throws Exception {
    Path spec = write("e.json", "{\"env\": \"navigation-2d\", \"horizon\": 0}");
    Result r = run("train", "--env", spec.toString(), "--out", dir.resolve("run").toString());
    assertEquals(2, r.code);
    assertTrue(r.err.contains("field 'horizon': expected an integer in [1, 1000000], got 0"), r.err);
    Path cfg = write("t.json", "{\"fast_lr\": -1}");
    Path ok = write("ok.json", "{\"env\": \"navigation-2d\"}");
    r = run("train", "--env", ok.toString(), "--config", cfg.toString(), "--out", dir.resolve("run").toString());
    assertEquals(2, r.code);
    assertTrue(r.err.contains(cfg + ": field 'fast_lr': expected a number greater than 0, got -1.0"), r.err);
  }

  @Test
  void trainWritesConfigMetricsCheckpointAndRefusesToOverwrite() throws Exception {
    Path spec = write("e.json", "{\"env\": \"navigation-2d\", \"horizon\": 8}");
    Path cfg = write("t.json", "{\"meta_batch_size\": 2, \"fast_batch_size\": 2}");
    Path out = dir.resolve("run");
    Result r = run("train", "--env", spec.toString(), "--config", cfg.toString(), "--iterations", "2", "--out",
        out.toString(), "--log");
    assertEquals(0, r.code, r.err);
    assertEquals(2, Files.readAllLines(out.resolve("metrics.jsonl")).size());
    assertTrue(Files.exists(out.resolve("config.json")));
    assertTrue(Files.exists(out.resolve("checkpoint.json")));
    assertTrue(Files.exists(out.resolve("policy.json")));
    String before = Files.readString(out.resolve("checkpoint.json"));
    r = run("train", "--env", spec.toString(), "--config", cfg.toString(), "--iterations", "3", "--out",
        out.toString());
    assertEquals(2, r.code);
    assertTrue(r.err.contains("a run already exists here"), r.err);
    assertEquals(before, Files.readString(out.resolve("checkpoint.json")));
    r = run("train", "--env", spec.toString(), "--config", cfg.toString(), "--iterations", "3", "--out",
        out.toString(), "--resume");
    assertEquals(0, r.code, r.err);
    assertEquals(3, Files.readAllLines(out.resolve("metrics.jsonl")).size());
  }
}
