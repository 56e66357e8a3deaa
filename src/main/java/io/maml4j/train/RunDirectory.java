package io.maml4j.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.maml4j.policy.Params;
import io.maml4j.policy.PolicySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * The files of one training run: {@code config.json} (resolved config, seed, version),
 * {@code metrics.jsonl} (one line per iteration), {@code checkpoint.json} (latest meta-policy,
 * written atomically after every iteration) and {@code policy.json} (the final meta-policy).
 */
public final class RunDirectory implements TrainingListener {
  private final Path dir;
  private final PolicySpec spec;

  public RunDirectory(Path dir, PolicySpec spec) {
    this.dir = dir;
    this.spec = spec;
  }

  public Path dir() {
    return dir;
  }

  public Path checkpoint() {
    return dir.resolve("checkpoint.json");
  }

  public Path metrics() {
    return dir.resolve("metrics.jsonl");
  }

  public Path config() {
    return dir.resolve("config.json");
  }

  public Path policy() {
    return dir.resolve("policy.json");
  }

  /** Writes the resolved configuration once, atomically. */
  public void writeConfig(JsonObject resolved) {
    Checkpoint.writeAtomically(config(), new GsonBuilder().setPrettyPrinting().create().toJson(resolved));
  }

  /**
   * Keeps only the metrics lines of iterations before {@code iteration} (a resumed run rewrites
   * what follows its checkpoint); a truncated last line is dropped. Atomic.
   */
  public void truncateMetrics(int iteration) {
    if (!Files.exists(metrics())) {
      return;
    }
    try {
      List<String> kept = new ArrayList<>();
      for (String line : Files.readAllLines(metrics(), StandardCharsets.UTF_8)) {
        try {
          JsonObject o = JsonParser.parseString(line).getAsJsonObject();
          if (o.get("iteration").getAsInt() < iteration) {
            kept.add(line);
          }
        } catch (RuntimeException partial) {
          // An interrupted write leaves at most one partial line; it is not a finished iteration.
        }
      }
      Checkpoint.writeAtomically(metrics(), kept.isEmpty() ? "" : String.join("\n", kept) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void onIteration(IterationMetrics m, Params theta) {
    try {
      Files.createDirectories(dir);
      // One write call per line, so a crash leaves whole lines plus at most one partial tail.
      Files.writeString(metrics(), m.toJson() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to " + metrics() + ": " + e.getMessage(), e);
    }
    new Checkpoint(spec, theta, m.iteration() + 1, m.totalEnvSteps()).save(checkpoint());
  }

  @Override
  public void onEnd(Params theta) {
    if (Files.exists(checkpoint())) {
      try {
        Checkpoint.writeAtomically(policy(), Files.readString(checkpoint()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
