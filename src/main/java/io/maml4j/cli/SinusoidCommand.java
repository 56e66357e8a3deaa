package io.maml4j.cli;

import io.maml4j.config.Fields;
import io.maml4j.experiments.SinusoidExperiment;
import io.maml4j.train.TrainConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maml4j sinusoid}: the MAML paper's sinusoid regression figures, MAML against pretrained. */
@Command(name = "sinusoid", mixinStandardHelpOptions = true,
    description = "Train MAML and the pretrained baseline on sinusoids (or load them), fine-tune both on K"
        + " examples of held-out sinusoids, and write MSE-per-step tables and charts.")
public final class SinusoidCommand implements Callable<Integer> {
  @Option(names = "--env", defaultValue = "environments/sinusoid.json", description = "Sinusoid spec (default ${DEFAULT-VALUE}).")
  Path env;

  @Option(names = "--out", defaultValue = "runs/sinusoid-experiment", description = "Output directory (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--iterations", description = "Meta-iterations for each model trained here (default: the spec's num_batches).")
  Integer iterations;

  @Option(names = "--seed", defaultValue = "1", description = "Training seed (default ${DEFAULT-VALUE}).")
  long seed;

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
    int n = iterations != null ? iterations : specIterations();
    new SinusoidExperiment(new SinusoidExperiment.Options(env, out, n, seed, maml, pretrained, tasks, testPoints,
        steps, shots, testSeed, lrGrid), System.out).run();
    System.out.println("maml4j: wrote " + out.resolve("sinusoid-eval.json") + ", its CSV and the charts in " + out);
    return 0;
  }

  private int specIterations() {
    return TrainConfig.forSpec(Fields.read(env)).numBatches();
  }
}
