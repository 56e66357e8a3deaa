package io.maml4j.cli;

import com.google.gson.JsonObject;
import io.maml4j.env.TaskDistribution;
import io.maml4j.eval.Curve;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.Report;
import io.maml4j.plot.ChartOptions;
import io.maml4j.plot.Figure;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Shared output of the evaluation commands: chart, CSV and JSON side by side, and a summary. */
final class Outputs {
  private Outputs() {}

  /** A run's display name: its directory name without a trailing "-seedN", or the file's stem. */
  static String runName(Path file) {
    Path abs = file.toAbsolutePath().normalize();
    String fn = abs.getFileName().toString();
    String name = (fn.equals("policy.json") || fn.equals("checkpoint.json") || fn.equals("metrics.jsonl"))
        && abs.getParent() != null ? abs.getParent().getFileName().toString()
        : fn.replaceFirst("\\.jsonl?$", "");
    return name;
  }

  /** A run's label for grouping seeds: its name without "-seedN". */
  static String groupLabel(Path run) {
    return runName(run).replaceFirst("-seed\\d+$", "");
  }

  static void writeAll(Figure f, Path png, ChartOptions options, TaskDistribution dist, EvalConfig cfg,
      List<Curve> curves, Map<String, String> sources) {
    writeAll(f, png, options, dist, cfg.toJson(), curves, sources);
  }

  /** As above, with the protocol block the report records. */
  static void writeAll(Figure f, Path png, ChartOptions options, TaskDistribution dist, JsonObject protocol,
      List<Curve> curves, Map<String, String> sources) {
    Figure.Written w = f.write(png, options);
    Path json = w.png().resolveSibling(w.png().getFileName().toString().replaceFirst("\\.png$", ".json"));
    JsonObject report = Report.toJson(dist.name(), protocol, curves, sources);
    report.addProperty("maml4j_version", Main.VERSION);
    report.addProperty("chart", w.png().getFileName().toString());
    report.addProperty("csv", w.csv().getFileName().toString());
    Report.write(json, report);
    System.err.println("maml4j: wrote " + w.png() + ", " + w.csv().getFileName() + ", " + json.getFileName()
        + (w.svg() != null ? ", " + w.svg().getFileName() : ""));
  }

  /** Prints mean ± 95% CI per method and step, one method per line. */
  static void printTable(List<Curve> curves) {
    int steps = curves.get(0).steps();
    StringBuilder h = new StringBuilder(String.format("%-14s", "method"));
    for (int s = 0; s <= steps; s++) {
      h.append(String.format("  %-18s", "step " + s));
    }
    System.out.println(h);
    for (Curve c : curves) {
      StringBuilder sb = new StringBuilder(String.format("%-14s", c.label()));
      for (int s = 0; s <= c.steps(); s++) {
        sb.append(String.format("  %-18s", String.format("%.2f ± %.2f", c.mean(s), c.ci95(s))));
      }
      System.out.println(sb);
    }
  }
}
