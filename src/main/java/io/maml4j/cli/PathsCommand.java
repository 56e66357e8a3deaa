package io.maml4j.cli;

import io.maml4j.config.ConfigException;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.Evaluator;
import io.maml4j.eval.Paths;
import io.maml4j.eval.TrainedPolicy;
import io.maml4j.plot.Figure;
import io.maml4j.plot.PathsChart;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code maml4j paths}: 2D navigation trajectories for a few held-out goals, before adaptation
 * and after each gradient step (Finn et al. 2017, Figure 4, right). One chart per goal.
 */
@Command(name = "paths", mixinStandardHelpOptions = true,
    description = "Draw 2D navigation paths before and after each fine-tuning step, for a few test goals; goal i"
        + " goes to <out>-goal<i>.png with its CSV (default --out plots/paths.png).")
public final class PathsCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "POLICY", description = "policy.json, checkpoint.json or a run directory.")
  Path policyPath;

  @Option(names = "--goals", defaultValue = "3", description = "Number of test goals (default ${DEFAULT-VALUE}).")
  int goals;

  @Mixin
  EvalMixin eval;

  @Mixin
  ChartMixin chart;

  @Override
  public Integer call() {
    var options = chart.options();
    Path out = chart.out(Path.of("plots", "paths.png"));
    if (goals < 1) {
      throw new IllegalArgumentException("--goals must be at least 1, got " + goals);
    }
    EvalMixin.Target target = eval.target(policyPath);
    TaskDistribution dist = target.distribution();
    TrainedPolicy tp = TrainedPolicy.load(policyPath, dist, target.type());
    EvalConfig base = eval.config(tp);
    EvalConfig cfg = new EvalConfig(goals, base.testSeed(), base.steps(), base.episodes(), base.fastLr(), base.gamma(),
        base.gaeLambda(), base.innerEstimator());
    Evaluator ev = new Evaluator(dist, cfg, target.type());
    List<Task> tasks = ev.testTasks();
    double[][] goalXy = new double[tasks.size()][];
    for (int i = 0; i < tasks.size(); i++) {
      Object g = tasks.get(i).params().get("goal");
      if (!(g instanceof List<?> l) || l.size() != 2) {
        throw new ConfigException(target.source() + ": paths need tasks with a 2D 'goal' (navigation-2d), got "
            + tasks.get(i).params());
      }
      goalXy[i] = tasks.get(i).vector("goal");
    }
    Evaluator.Result r = ev.fineTune("paths", tp.policy(), tp.params(), tasks);
    double[][][][] paths = Paths.rollOut(dist, tp.policy(), r.stepParams(), tasks);
    String name = out.getFileName().toString().replaceFirst("(?i)\\.png$", "");
    for (int t = 0; t < tasks.size(); t++) {
      double[][][] perStage = new double[paths.length][][];
      for (int s = 0; s < paths.length; s++) {
        perStage[s] = paths[s][t];
      }
      String title = String.format(Locale.ROOT, "%s: goal (%.2f, %.2f)", Outputs.runName(tp.file()), goalXy[t][0],
          goalXy[t][1]);
      Figure f = PathsChart.build(title, perStage, goalXy[t]);
      Figure.Written w = f.write(out.resolveSibling(name + "-goal" + (t + 1) + ".png"), options);
      System.err.println("maml4j: wrote " + w.png() + " and " + w.csv().getFileName());
    }
    return 0;
  }
}
