package io.maml4j.plot;

import io.maml4j.policy.Params;
import io.maml4j.train.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/**
 * Draws a run's own learning curve into {@code <run>/plots/learning-curve.png} (with its CSV)
 * when training ends. It reads the run's metrics file like any other plot, so it must come
 * after the listener that writes that file. A failure to draw is reported, never fatal: the
 * training result stands.
 */
public final class LearningCurvePlotter implements TrainingListener {
  private final Path runDir;
  private final ChartOptions options;
  private final PrintStream log;

  public LearningCurvePlotter(Path runDir, PrintStream log) {
    this(runDir, ChartOptions.defaults(), log);
  }

  public LearningCurvePlotter(Path runDir, ChartOptions options, PrintStream log) {
    this.runDir = runDir;
    this.options = options;
    this.log = log;
  }

  /** Where the chart goes. */
  public Path output() {
    return runDir.resolve("plots").resolve("learning-curve.png");
  }

  @Override
  public void onEnd(Params theta) {
    try {
      MetricsLog m = MetricsLog.read(runDir, w -> log.println("maml4j: warning: " + w));
      Figure f = LearningCurves.build("Learning curve: " + runDir.getFileName(),
          List.of(new LearningCurves.Group("", List.of(m))), List.of("pre_return", "post_return"),
          LearningCurves.XAxis.ITERATION);
      f.write(output(), options);
      log.println("maml4j: wrote " + output());
    } catch (RuntimeException e) {
      log.println("maml4j: warning: no learning curve drawn: " + e.getMessage());
    }
  }
}
