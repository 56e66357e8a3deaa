package io.maml4j.cli;

import io.maml4j.config.ConfigException;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.envs.Oracle;
import io.maml4j.eval.Curve;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.Evaluator;
import io.maml4j.eval.TrainedPolicy;
import io.maml4j.plot.AdaptationChart;
import io.maml4j.plot.Figure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code maml4j compare}: the MAML paper's comparison (Finn et al. 2017, Figure 4, left). MAML,
 * a pretrained policy (TRPO on all tasks, {@code train --num-steps 0}), a random initialisation
 * and an oracle that sees the task are fine-tuned the same way on the same held-out tasks.
 */
@Command(name = "compare", mixinStandardHelpOptions = true,
    description = "Fine-tune MAML, pretrained, random and oracle policies on the same held-out tasks and chart "
        + "return against gradient steps (default --out plots/compare.png, JSON and CSV beside it). The environment"
        + " is the MAML run's own (its config.json) unless --env is given.")
public final class CompareCommand implements Callable<Integer> {
  @Option(names = "--maml", required = true, description = "The MAML meta-policy (policy.json or run directory).")
  Path maml;

  @Option(names = "--pretrained", description = "Policy trained with TRPO on the whole task distribution "
      + "(train --num-steps 0).")
  Path pretrained;

  @Option(names = "--oracle", description = "Policy trained with the task in its observation "
      + "(e.g. train --env environments/navigation-2d-oracle.json --num-steps 0).")
  Path oracle;

  @Option(names = "--oracle-env", description = "Oracle environment spec (default: --env with every numeric task "
      + "parameter appended to the observation).")
  Path oracleEnv;

  @Option(names = "--oracle-fast-lr", defaultValue = "0", description = "Fine-tuning step size of the oracle, which "
      + "already knows the task (default ${DEFAULT-VALUE}, as cbfinn/maml_rl's test_maml_point.py; the first step's α, "
      + "halved after).")
  double oracleFastLr;

  @Option(names = "--no-random", negatable = false, description = "Leave out the random-initialisation baseline.")
  boolean noRandom;

  @Option(names = "--random-seed", defaultValue = "0", description = "Seed of the random initialisation (default ${DEFAULT-VALUE}).")
  long randomSeed;

  @Option(names = "--title", description = "Chart title.")
  String title;

  @Mixin
  EvalMixin eval;

  @Mixin
  ChartMixin chart;

  @Override
  public Integer call() {
    var options = chart.options();
    if (!(oracleFastLr >= 0) || !Double.isFinite(oracleFastLr)) {
      throw new IllegalArgumentException("--oracle-fast-lr must be a finite number >= 0, got " + oracleFastLr);
    }
    EvalMixin.Target target = eval.target(maml);
    TaskDistribution dist = target.distribution();
    var type = target.type();
    TrainedPolicy m = TrainedPolicy.load(maml, dist, type);
    TrainedPolicy p = pretrained != null ? TrainedPolicy.load(pretrained, dist, type) : null;
    TaskDistribution oracleDist = null;
    TrainedPolicy o = null;
    if (oracle != null) {
      try {
        oracleDist = oracleEnv != null ? EnvRegistry.standard().load(oracleEnv) : Oracle.of(dist);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(target.source() + ": no oracle for this environment: " + e.getMessage());
      }
      o = TrainedPolicy.load(oracle, oracleDist, type);
    }
    // Every method is fine-tuned with the MAML run's protocol (α, γ, λ, inner estimator) on the same tasks.
    EvalConfig cfg = eval.config(m);
    System.err.printf("maml4j: comparing on %d %s test tasks (seed %d), %d steps of %d episodes, α %.3g then %.3g,"
        + " %s step%n", cfg.tasks(), dist.name(), cfg.testSeed(), cfg.steps(), cfg.episodes(), cfg.stepSize(0),
        cfg.stepSize(1), cfg.innerLoss() == io.maml4j.meta.TaskLoss.DICE ? "DiCE" : "REINFORCE");
    Evaluator ev = new Evaluator(dist, cfg, type);
    List<Curve> curves = new ArrayList<>();
    Map<String, String> sources = new LinkedHashMap<>();
    curves.add(run(ev, "MAML", m.policy(), m.params(), m.file().toString(), sources));
    if (p != null) {
      curves.add(run(ev, "pretrained", p.policy(), p.params(), p.file().toString(), sources));
    }
    if (!noRandom) {
      curves.add(run(ev, "random", m.policy(), m.randomInit(randomSeed, type), "random init, seed " + randomSeed,
          sources));
    }
    if (o != null) {
      // The oracle adapts with its own run's estimator.
      EvalConfig oc = new EvalConfig(cfg.tasks(), cfg.testSeed(), cfg.steps(), cfg.episodes(), oracleFastLr, cfg.gamma(),
          cfg.gaeLambda(), o.innerEstimator() != null ? o.innerEstimator() : "reinforce");
      Evaluator oe = new Evaluator(oracleDist, oc, type);
      curves.add(run(oe, "oracle", o.policy(), o.params(),
          String.format(java.util.Locale.ROOT, "%s (fine-tuning step size %s)", o.file(), oracleFastLr), sources));
    }
    Figure f = AdaptationChart.build(title != null ? title
        : dist.name() + ": fine-tuning on " + cfg.tasks() + " held-out tasks (95% CI)", curves);
    Outputs.writeAll(f, chart.out(Path.of("plots", "compare.png")), options, dist, cfg, curves, sources);
    Outputs.printTable(curves);
    return 0;
  }

  private static Curve run(Evaluator ev, String label, io.maml4j.policy.Policy policy, io.maml4j.policy.Params theta,
      String source, Map<String, String> sources) {
    long t0 = System.nanoTime();
    Curve c = ev.fineTune(label, policy, theta).curve();
    sources.put(label, source);
    System.err.printf("maml4j: %s done in %.1f s%n", label, (System.nanoTime() - t0) / 1e9);
    return c;
  }
}
