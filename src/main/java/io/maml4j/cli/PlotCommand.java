package io.maml4j.cli;

import io.maml4j.plot.Figure;
import io.maml4j.plot.LearningCurves;
import io.maml4j.plot.MetricsLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code maml4j plot RUN...}: learning curves of training runs from their metrics files. Runs
 * with the same label (by default the directory name without "-seedN") are averaged, with a
 * band of ±1 standard deviation over seeds.
 */
@Command(name = "plot", mixinStandardHelpOptions = true,
    description = "Plot learning curves (pre- and post-update return) of one or many training runs"
        + " (default --out plots/learning-curves.png).")
public final class PlotCommand implements Callable<Integer> {
  @Parameters(arity = "1..*", paramLabel = "RUN",
      description = "Run directory or metrics.jsonl, optionally as LABEL=RUN; runs sharing a label are averaged.")
  List<String> runs;

  @Option(names = "--x", defaultValue = "iteration", description = "x axis: iteration or env_steps (default ${DEFAULT-VALUE}).")
  String x;

  @Option(names = "--metric", split = ",", defaultValue = "pre_return,post_return",
      description = "Metrics to draw (default ${DEFAULT-VALUE}).")
  List<String> metrics;

  @Option(names = "--title", defaultValue = "Learning curves", description = "Chart title (default ${DEFAULT-VALUE}).")
  String title;

  @Mixin
  ChartMixin chart;

  @Override
  public Integer call() {
    var options = chart.options();
    LearningCurves.XAxis axis = LearningCurves.XAxis.parse(x);
    Map<String, List<MetricsLog>> byLabel = new LinkedHashMap<>();
    for (String arg : runs) {
      int eq = arg.indexOf('=');
      Path run = Path.of(eq >= 0 ? arg.substring(eq + 1) : arg);
      String label = eq >= 0 ? arg.substring(0, eq) : Outputs.groupLabel(MetricsLog.metricsFile(run));
      MetricsLog log = MetricsLog.read(run, w -> System.err.println("maml4j: warning: " + w));
      byLabel.computeIfAbsent(label, k -> new ArrayList<>()).add(log);
    }
    List<LearningCurves.Group> groups = new ArrayList<>();
    byLabel.forEach((k, v) -> groups.add(new LearningCurves.Group(k, v)));
    Figure f = LearningCurves.build(title, groups, metrics, axis);
    Figure.Written w = f.write(chart.out(Path.of("plots", "learning-curves.png")), options);
    System.err.println("maml4j: wrote " + w.png() + " and " + w.csv().getFileName()
        + (w.svg() != null ? " and " + w.svg().getFileName() : ""));
    return 0;
  }
}
