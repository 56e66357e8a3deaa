package io.maml4j.cli;

import io.maml4j.env.TaskDistribution;
import io.maml4j.eval.Curve;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.Evaluator;
import io.maml4j.eval.Report;
import io.maml4j.eval.TrainedPolicy;
import io.maml4j.plot.AdaptationChart;
import io.maml4j.plot.Figure;
import io.maml4j.vision.FewShotClassification;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code maml4j evaluate}: fine-tunes a trained meta-policy on held-out test tasks and reports
 * the average return after 0..N gradient steps with 95% confidence intervals over tasks.
 */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
    description = "Fine-tune a trained policy on held-out test tasks (cbfinn/maml_rl protocol) and chart "
        + "the average return after each gradient step (default --out plots/evaluate-<label>.png, JSON and CSV"
        + " beside it). The environment is the run's own (RUN/config.json) unless --env is given.")
public final class EvaluateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "POLICY", description = "policy.json, checkpoint.json or a run directory.")
  Path policyPath;

  @Option(names = "--label", description = "Name of the method in the chart (default: the run directory's name).")
  String label;

  @Mixin
  EvalMixin eval;

  @Mixin
  ChartMixin chart;

  @Mixin
  FewShotOptions fewShot;

  @Override
  public Integer call() {
    var options = chart.options();
    EvalMixin.Target target = eval.target(policyPath);
    TaskDistribution dist = target.distribution();
    TrainedPolicy tp = TrainedPolicy.load(policyPath, dist, target.type());
    String name = label != null ? label : Outputs.runName(tp.file());
    EvalConfig cfg = eval.config(tp);
    if (dist instanceof FewShotClassification f) {
      return fewShot.run(f, tp, name, cfg, target.type(), chart);
    }
    Evaluator ev = new Evaluator(dist, cfg, target.type());
    System.err.printf("maml4j: evaluating %s on %d %s test tasks (seed %d), %d steps, α %.3g then %.3g%n", tp.file(),
        cfg.tasks(), dist.name(), cfg.testSeed(), cfg.steps(), cfg.stepSize(0), cfg.stepSize(1));
    Curve c = ev.fineTune(name, tp.policy(), tp.params()).curve();
    Path png = chart.out(Path.of("plots", "evaluate-" + name + ".png"));
    Figure f = AdaptationChart.build(dist.name() + ": fine-tuning on " + cfg.tasks() + " test tasks", List.of(c));
    Outputs.writeAll(f, png, options, dist, cfg, List.of(c), Map.of(name, tp.file().toString()));
    Outputs.printTable(List.of(c));
    return 0;
  }
}
