package io.maml4j.cli;

import io.maml4j.env.TaskDistribution;
import io.maml4j.eval.Curve;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.EvaluationUnits;
import io.maml4j.eval.Evaluator;
import io.maml4j.eval.Report;
import io.maml4j.eval.TrainedPolicy;
import io.maml4j.plot.AdaptationChart;
import io.maml4j.plot.Figure;
import io.maml4j.train.Checkpoint;
import io.maml4j.train.EnvSpec;
import io.maml4j.train.Run;
import io.maml4j.train.RunConfig;
import io.maml4j.train.TrainConfig;
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
        + " beside it). The environment is the run's own (RUN/config.json) unless --env is given. With --cluster"
        + " the held-out tasks run on the cluster's workers, with the same figures.")
public final class EvaluateCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "POLICY", description = "policy.json, checkpoint.json or a run directory.")
  Path policyPath;

  @Option(names = "--label", description = "Name of the method in the chart (default: the run directory's name).")
  String label;

  @Option(names = "--inner-estimator", paramLabel = "NAME",
      description = "Inner step of fine-tuning: reinforce, lvc (the same step) or dice (default: the run's"
          + " inner_estimator from config.json, else reinforce).")
  String innerEstimator;

  @Mixin
  EvalMixin eval;

  @Mixin
  ChartMixin chart;

  @Mixin
  ClusterOptions cluster;

  @Mixin
  FewShotOptions fewShot;

  @Override
  public Integer call() {
    var options = chart.options();
    EvalMixin.Target target = eval.target(policyPath);
    TaskDistribution dist = target.distribution();
    TrainedPolicy tp = TrainedPolicy.load(policyPath, dist, target.type());
    String name = label != null ? label : Outputs.runName(tp.file());
    EvalConfig cfg = eval.config(tp).withInnerEstimator(innerEstimator(tp));
    if (dist instanceof FewShotClassification f) {
      if (cluster.cluster != null && !cluster.cluster.isEmpty()) {
        throw new IllegalArgumentException("option '--cluster': few-shot classification is evaluated in-process only;"
            + " drop --cluster for " + dist.name());
      }
      return fewShot.run(f, tp, name, cfg, target.type(), chart);
    }
    Evaluator ev = new Evaluator(dist, cfg, target.type());
    System.err.printf("maml4j: evaluating %s on %d %s test tasks (seed %d), %d steps, α %.3g then %.3g, %s step%n",
        tp.file(), cfg.tasks(), dist.name(), cfg.testSeed(), cfg.steps(), cfg.stepSize(0), cfg.stepSize(1),
        cfg.innerLoss() == io.maml4j.meta.TaskLoss.DICE ? "DiCE" : "REINFORCE");
    Curve c;
    try (io.maml4j.cluster.ClusterDriver driver = cluster.connect()) {
      c = driver == null ? ev.fineTune(name, tp.policy(), tp.params()).curve()
          : new EvaluationUnits(ev, tp.policy(), tp.params()).fineTune(name, tp.params(),
              driver.evaluationExecutors(evaluationRun(target, tp), cfg)).curve();
    }
    Path png = chart.out(Path.of("plots", "evaluate-" + name + ".png"));
    Figure f = AdaptationChart.build(dist.name() + ": fine-tuning on " + cfg.tasks() + " test tasks", List.of(c));
    Outputs.writeAll(f, png, options, dist, cfg, List.of(c), Map.of(name, tp.file().toString()));
    Outputs.printTable(List.of(c));
    return 0;
  }

  /** --inner-estimator, else the run's recorded one, else reinforce. */
  private String innerEstimator(TrainedPolicy tp) {
    if (innerEstimator != null) {
      if (!io.maml4j.meta.TaskLoss.ESTIMATORS.contains(innerEstimator)) {
        throw new IllegalArgumentException("option '--inner-estimator': expected one of "
            + io.maml4j.meta.TaskLoss.ESTIMATORS + ", got '" + innerEstimator + "'");
      }
      return innerEstimator;
    }
    return tp.innerEstimator() != null ? tp.innerEstimator() : "reinforce";
  }

  /**
   * What the workers need to build the environment and policy the driver evaluates: the env spec
   * (of --env, else the run's), the policy file's spec and the number type. The workers' units
   * then make the driver's Evaluator, {@code new Evaluator(dist, cfg, type)}.
   */
  private Run evaluationRun(EvalMixin.Target target, TrainedPolicy tp) {
    EnvSpec env = eval.env.env != null ? EnvSpec.read(eval.env.env)
        : RunConfig.read(RunConfig.of(policyPath).orElseThrow()).env();
    String dtype = target.type() == org.nd4j.linalg.api.buffer.DataType.DOUBLE ? "float64" : "float32";
    TrainConfig train = TrainConfig.defaults().toBuilder().dtype(dtype).build();
    return Run.of(new RunConfig(RunConfig.VERSION, env, Checkpoint.load(tp.file(), target.type()).spec(), train, 1),
        target.source());
  }
}
