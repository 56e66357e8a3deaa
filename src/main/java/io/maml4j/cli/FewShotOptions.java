package io.maml4j.cli;

import io.maml4j.config.ConfigException;
import io.maml4j.eval.Curve;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.Evaluator;
import io.maml4j.eval.FewShotProtocol;
import io.maml4j.eval.TrainedPolicy;
import io.maml4j.plot.AdaptationChart;
import io.maml4j.plot.Figure;
import io.maml4j.policy.Params;
import io.maml4j.train.Checkpoint;
import io.maml4j.vision.FewShotClassification;
import io.maml4j.vision.Pretraining;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Option;

/**
 * The few-shot classification part of {@code maml4j evaluate}: held-out accuracy after 0..N
 * steps of the meta-policy, of other meta-policies ({@code --compare}, e.g. first-order MAML) and
 * of the baselines on the same tasks: the network from its random initialisation and, with
 * {@code --pretrained}, a network pretrained on all meta-train classes under a fresh N-way head.
 */
final class FewShotOptions {
  /** The step sizes a tuned baseline chooses from. */
  static final double[] TUNING_GRID = {0.01, 0.04, 0.1, 0.4};

  @Option(names = "--pretrained", paramLabel = "FILE",
      description = "Classification: also fine-tune this network from 'maml4j pretrain' under a fresh N-way head.")
  Path pretrained;

  @Option(names = "--compare", paramLabel = "POLICY", split = ",",
      description = "Classification: more meta-policies (e.g. a first-order run) on the same tasks, comma-separated.")
  List<Path> compare = new ArrayList<>();

  @Option(names = "--split", defaultValue = "test",
      description = "Classification: the class set of the test tasks, test or valid (default ${DEFAULT-VALUE}).")
  String split;

  @Option(names = "--queries", description = "Classification: query images per class (default: the spec's).")
  Integer queries;

  @Option(names = "--tune-steps", defaultValue = "0",
      description = "Classification: also run every method (the meta-policies and the baselines) with this many"
          + " steps, α tuned per method on validation tasks from 0.01, 0.04, 0.1, 0.4 (default ${DEFAULT-VALUE}:"
          + " off).")
  int tuneSteps;

  @Option(names = "--tune-tasks", defaultValue = "40",
      description = "Classification: validation tasks that tune the baselines' α (default ${DEFAULT-VALUE}).")
  int tuneTasks;

  /** Runs the classification evaluation of {@code tp} and writes its chart, CSV and JSON. */
  int run(FewShotClassification spec, TrainedPolicy tp, String name, EvalConfig cfg, DataType type, ChartMixin chart) {
    if (!List.of("test", "valid").contains(split)) {
      throw new IllegalArgumentException("--split must be test or valid, got " + split);
    }
    if (tuneSteps < 0 || tuneTasks < 1) {
      throw new IllegalArgumentException("--tune-steps must be at least 0 and --tune-tasks at least 1, got "
          + tuneSteps + " and " + tuneTasks);
    }
    int q = queries != null ? queries : spec.queries();
    FewShotClassification test = new FewShotClassification(spec.name(), spec.classes(), split, spec.ways(),
        spec.shots(), q);
    Evaluator ev = FewShotProtocol.evaluator(test, cfg, type);
    System.err.printf("maml4j: evaluating %s on %d %s %d-way %d-shot tasks of split %s (%d queries per class, seed %d),"
        + " %d steps of α %.3g%n", tp.file(), cfg.tasks(), spec.name(), spec.ways(), spec.shots(), split, q,
        cfg.testSeed(), cfg.steps(), cfg.fastLr());
    List<Curve> curves = new ArrayList<>();
    Map<String, String> sources = new LinkedHashMap<>();
    // Every method's starting parameters, by label, for the tuned runs below.
    Map<String, Params> starts = new LinkedHashMap<>();
    curves.add(timed(ev, name, tp, tp.params()));
    sources.put(name, tp.file().toString());
    starts.put(name, tp.params());
    for (Path other : compare) {
      TrainedPolicy o = TrainedPolicy.load(other, spec, type);
      String label = Outputs.runName(o.file());
      curves.add(timed(ev, label, o, o.params()));
      sources.put(label, o.file().toString());
      starts.put(label, o.params());
    }
    // Baselines: the same network and the same steps on the same tasks, from other starts.
    long initSeed = cfg.testSeed();
    Params scratch = tp.randomInit(initSeed, type);
    curves.add(timed(ev, "scratch", tp, scratch));
    sources.put("scratch", "random initialisation (seed " + initSeed + ")");
    starts.put("scratch", scratch);
    Params pre = null;
    if (pretrained != null) {
      Checkpoint ck = Checkpoint.load(pretrained, type);
      try {
        pre = Pretraining.withHead(ck.params(), tp.policy(), new SplittableRandom(initSeed), type);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(pretrained + ": " + e.getMessage());
      }
      curves.add(timed(ev, "pretrained", tp, pre));
      starts.put("pretrained", pre);
      sources.put("pretrained", pretrained + " under a fresh " + spec.ways() + "-way head (seed " + initSeed + ")");
    }
    if (tuneSteps > 0) {
      FewShotClassification valid = test.withSplit("valid");
      EvalConfig tuneCfg = new EvalConfig(tuneTasks, cfg.testSeed() + 1, tuneSteps, cfg.episodes(), cfg.fastLr(),
          cfg.gamma(), cfg.gaeLambda());
      // Every method, the meta-policies included, gets its own α from the same validation tasks,
      // so that none is held to the training step size the others are free of.
      for (Map.Entry<String, Params> e : starts.entrySet()) {
        double lr = FewShotProtocol.bestStepSize(valid, tuneCfg, type, tp.policy(), e.getValue(), TUNING_GRID);
        EvalConfig c = new EvalConfig(cfg.tasks(), cfg.testSeed(), tuneSteps, cfg.episodes(), lr, cfg.gamma(),
            cfg.gaeLambda());
        String label = e.getKey() + "-tuned";
        curves.add(timed(FewShotProtocol.evaluator(test, c, type), label, tp, e.getValue()));
        sources.put(label, sources.get(e.getKey()) + ", " + tuneSteps + " steps of α " + lr + " (best on " + tuneTasks
            + " validation tasks)");
      }
    }
    Path png = chart.out(Path.of("plots", "evaluate-" + name + ".png"));
    Figure f = AdaptationChart.build(spec.name() + " " + spec.ways() + "-way " + spec.shots() + "-shot: " + cfg.tasks()
        + " " + split + " tasks", "Query accuracy", curves);
    Outputs.writeAll(f, png, chart.options(), test, FewShotProtocol.toJson(test, cfg), curves, sources);
    printAccuracy(curves);
    return 0;
  }

  private static Curve timed(Evaluator ev, String label, TrainedPolicy tp, Params start) {
    long t0 = System.nanoTime();
    Curve c = FewShotProtocol.curve(ev, label, tp.policy(), start);
    System.err.printf("maml4j: %s: %d tasks in %.1f s%n", label, c.tasks(), (System.nanoTime() - t0) / 1e9);
    return c;
  }

  /** Accuracy in percent ± the 95 % interval, per method and step. */
  static void printAccuracy(List<Curve> curves) {
    int steps = curves.stream().mapToInt(Curve::steps).max().orElse(0);
    StringBuilder h = new StringBuilder(String.format("%-22s", "method (accuracy %)"));
    for (int s = 0; s <= steps; s++) {
      h.append(String.format("  %-13s", "step " + s));
    }
    System.out.println(h);
    for (Curve c : curves) {
      StringBuilder sb = new StringBuilder(String.format("%-22s", c.label()));
      for (int s = 0; s <= c.steps(); s++) {
        sb.append(String.format("  %-13s", String.format("%.1f ± %.1f", 100 * c.mean(s), 100 * c.ci95(s))));
      }
      System.out.println(sb);
    }
  }
}
