package io.maml4j.plot;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import io.maml4j.config.ConfigException;
import io.maml4j.config.InputFiles;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The rows of one run's {@code metrics.jsonl}, read for plotting. A run still in progress or
 * killed mid-write may end with a partial line: that line is dropped with a warning, and
 * everything before it is kept.
 *
 * @param source the file read
 * @param rows one JSON object per completed iteration, in file order
 */
public record MetricsLog(Path source, List<JsonObject> rows) {
  public MetricsLog {
    rows = List.copyOf(rows);
  }

  /** The metrics file of a run directory, or {@code path} itself if it is a file. */
  public static Path metricsFile(Path path) {
    return Files.isDirectory(path) ? path.resolve("metrics.jsonl") : path;
  }

  /**
   * Reads a run's metrics (a run directory or a metrics file).
   *
   * @param warn receives one line for a dropped partial last line
   * @throws ConfigException if the file is missing, has no complete line, or a line before the
   *     last is malformed
   */
  public static MetricsLog read(Path run, Consumer<String> warn) {
    Path file = metricsFile(run);
    if (!Files.exists(file)) {
      throw new ConfigException(file + ": no metrics file (is " + run + " a training run?)");
    }
    String text = InputFiles.read(file, InputFiles.CHECKPOINT_LIMIT);
    String[] lines = text.split("\n", -1);
    int lastLine = -1;
    for (int i = 0; i < lines.length; i++) {
      if (!lines[i].isBlank()) {
        lastLine = i;
      }
    }
    List<JsonObject> rows = new ArrayList<>();
    for (int i = 0; i <= lastLine; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      // Only the last line can be an interrupted write; damage anywhere else is an error.
      boolean last = i == lastLine;
      JsonObject row = parse(line);
      if (row == null) {
        if (last) {
          warn.accept(file + ": ignoring a truncated last line (" + (i + 1) + "); read " + rows.size()
              + " complete iterations");
          break;
        }
        throw new ConfigException(file + ": line " + (i + 1) + " is not a JSON object of metrics");
      }
      rows.add(row);
    }
    if (rows.isEmpty()) {
      throw new ConfigException(file + ": empty run, no completed iteration to plot");
    }
    return new MetricsLog(file, rows);
  }

  private static JsonObject parse(String line) {
    try {
      JsonReader r = new JsonReader(new StringReader(line));
      r.setStrictness(Strictness.STRICT);
      JsonElement e = JsonParser.parseReader(r);
      return e.isJsonObject() ? e.getAsJsonObject() : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The names of the metrics present in every row. */
  public TreeSet<String> metrics() {
    TreeSet<String> names = new TreeSet<>(rows.get(0).keySet());
    for (JsonObject r : rows) {
      names.retainAll(r.keySet());
    }
    return names;
  }

  /**
   * One numeric metric across all rows.
   *
   * @throws ConfigException if a row lacks it or it is not a number
   */
  public double[] column(String metric) {
    double[] out = new double[rows.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement e = rows.get(i).get(metric);
      if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
        throw new ConfigException(source + ": no metric '" + metric + "'" + (i > 0 ? " in row " + (i + 1) : "")
            + " (available: " + String.join(", ", metrics()) + ")");
      }
      out[i] = e.getAsDouble();
    }
    return out;
  }
}
