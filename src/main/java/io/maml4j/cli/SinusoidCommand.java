package io.maml4j.cli;

import io.maml4j.experiments.SinusoidExperiment;
import io.maml4j.train.Run;
import io.maml4j.train.RunConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maml4j sinusoid}: the MAML paper's sinusoid regression figures, MAML against pretrained. */
@Command(name = "sinusoid", mixinStandardHelpOptions = true,
    description = "Train MAML and the pretrained baseline on sinusoids (or load them), fine-tune both on K"
        + " examples of held-out sinusoids, and write MSE-per-step tables and charts (default --env"
        + " environments/sinusoid.json, --out runs/sinusoid-experiment; the training options override the spec's"
        + " \"train\" section, and the pretrained baseline is the same run with no inner step).")
public final class SinusoidCommand implements Callable<Integer> {
  @Mixin
  EnvOption env;

  @Mixin
  OutDirOption out;

  @Mixin
  TrainOptions train;

  @Option(names = "--maml", description = "Evaluate this trained MAML policy.json or checkpoint.json instead of training.")
  Path maml;

  @Option(names = "--pretrained", description = "Evaluate this pretrained policy.json or checkpoint.json instead of training.")
  Path pretrained;

  @Option(names = "--tasks", defaultValue = "100", description = "Held-out tasks per K (default ${DEFAULT-VALUE}).")
  int tasks;

  @Option(names = "--test-points", defaultValue = "100", description = "Points per task the MSE is measured on (default ${DEFAULT-VALUE}).")
  int testPoints;

  @Option(names = "--steps", defaultValue = "10", description = "Gradient steps at test time (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--shots", split = ",", defaultValue = "5,10,20", description = "K values (default ${DEFAULT-VALUE}).")
  int[] shots;

  @Option(names = "--test-seed", defaultValue = "1000", description = "Seed of the held-out tasks (default ${DEFAULT-VALUE}).")
  long testSeed;

  @Option(names = "--lr-grid", split = ",", defaultValue = "0.001,0.002,0.005,0.01,0.02,0.05",
      description = "Step sizes tried for the pretrained baseline (default ${DEFAULT-VALUE}).")
  double[] lrGrid;

  @Override
  public Integer call() {
    System.setProperty("java.awt.headless", "true");
    Run run = Run.resolve(env.orDefault(Path.of("environments", "sinusoid.json")), null, train.overrides(),
        RunConfig.defaultThreads());
    Path dir = out.orElse(Path.of("runs", "sinusoid-experiment"));
    new SinusoidExperiment(run, new SinusoidExperiment.Options(dir, maml, pretrained, tasks, testPoints, steps, shots,
        testSeed, lrGrid), System.out).run();
    System.out.println("maml4j: wrote " + dir.resolve("sinusoid-eval.json") + ", its CSV and the charts in " + dir);
    return 0;
  }
}
