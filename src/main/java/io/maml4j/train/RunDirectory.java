package io.maml4j.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import io.maml4j.config.ConfigException;
import io.maml4j.config.InputFiles;
import io.maml4j.files.AtomicFiles;
import io.maml4j.policy.Params;
import io.maml4j.policy.PolicySpec;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The files of one training run: {@code config.json} (resolved config, seed, version),
 * {@code metrics.jsonl} (one line per iteration, line i holding iteration i), {@code
 * checkpoint.json} (latest meta-policy, written atomically after every iteration) and {@code
 * policy.json} (the final meta-policy); {@code optimizer.json} beside them for Adam runs.
 */
public final class RunDirectory implements TrainingListener {
  /** The names of the files a run writes; a directory holding any of them holds a run. */
  public static final List<String> RUN_FILES =
      List.of("config.json", "metrics.jsonl", "checkpoint.json", "policy.json", "optimizer.json");

  private final Path dir;
  private final PolicySpec spec;
  private final List<Path> written = new ArrayList<>();

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

  /** The first run file present in the directory, if any (a new run must not start there). */
  public Optional<Path> existingRunFile() {
    return RUN_FILES.stream().map(dir::resolve).filter(Files::exists).findFirst();
  }

  /** The files this object wrote, in the order first written. */
  public List<Path> written() {
    return List.copyOf(written);
  }

  /** Writes the resolved configuration atomically. */
  public void writeConfig(JsonObject resolved) {
    AtomicFiles.write(config(), new GsonBuilder().setPrettyPrinting().create().toJson(resolved) + "\n");
    wrote(config());
  }

  /**
   * Cuts the metrics back to the iterations before {@code iteration}, the checkpoint a resumed
   * run continues from, so it rewrites what follows. Line i must hold iteration i; only a
   * partial last line (a write interrupted by a crash) is dropped. Atomic; the file is left as it
   * was when anything is wrong with it.
   *
   * @throws ConfigException one line naming the file and the line: a damaged line before the
   *     last, iterations out of order, or fewer iterations than the checkpoint has
   */
  public void truncateMetrics(int iteration) {
    if (!Files.exists(metrics())) {
      if (iteration > 0) {
        throw new ConfigException(metrics() + ": file not found, but " + checkpoint() + " is at iteration "
            + iteration + "; the run's files do not belong together");
      }
      return;
    }
    String text = InputFiles.read(metrics(), InputFiles.CHECKPOINT_LIMIT);
    String[] lines = text.split("\n", -1);
    int last = lines.length - 1;
    while (last >= 0 && lines[last].isBlank()) {
      last--;
    }
    StringBuilder kept = new StringBuilder();
    int complete = 0;
    for (int i = 0; i <= last; i++) {
      Integer it = iterationOf(lines[i]);
      if (it == null) {
        if (i == last) {
          break; // An interrupted append: not a finished iteration.
        }
        throw new ConfigException(metrics() + ": line " + (i + 1) + " is not a JSON object of metrics with an"
            + " \"iteration\"; only a partial last line can be dropped");
      }
      if (it != i) {
        throw new ConfigException(metrics() + ": line " + (i + 1) + " holds iteration " + it + ", expected " + i
            + " (two runs mixed in one directory?)");
      }
      complete++;
      if (it < iteration) {
        kept.append(lines[i]).append('\n');
      }
    }
    if (complete < iteration) {
      throw new ConfigException(metrics() + ": holds " + complete + " iterations, but " + checkpoint()
          + " is at iteration " + iteration + "; the run's files do not belong together");
    }
    if (!kept.toString().equals(text)) {
      AtomicFiles.write(metrics(), kept.toString());
    }
  }

  private static Integer iterationOf(String line) {
    try {
      JsonReader r = new JsonReader(new StringReader(line));
      r.setStrictness(Strictness.STRICT);
      JsonElement e = JsonParser.parseReader(r);
      JsonElement it = e.isJsonObject() ? e.getAsJsonObject().get("iteration") : null;
      if (it == null || !it.isJsonPrimitive() || !it.getAsJsonPrimitive().isNumber()) {
        return null;
      }
      return it.getAsInt();
    } catch (RuntimeException malformed) {
      return null;
    }
  }

  @Override
  public void onIteration(IterationMetrics m, Params theta) {
    // Appended and synced line by line: a crash leaves whole lines plus at most one partial tail.
    AtomicFiles.append(metrics(), m.toJson() + "\n");
    wrote(metrics());
    new Checkpoint(spec, theta, m.iteration() + 1, m.totalEnvSteps()).save(checkpoint());
    wrote(checkpoint());
  }

  @Override
  public void onEnd(Params theta) {
    if (Files.exists(checkpoint())) {
      AtomicFiles.write(policy(), InputFiles.read(checkpoint(), InputFiles.CHECKPOINT_LIMIT));
      wrote(policy());
    }
  }

  private void wrote(Path p) {
    if (!written.contains(p)) {
      written.add(p);
    }
  }
}
