package io.maml4j.cli;

import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.TrainedPolicy;
import java.nio.file.Path;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Option;

/** The test-protocol options of {@code evaluate}, {@code compare} and {@code paths}. */
public final class EvalMixin {
  @Option(names = "--env", defaultValue = "environments/navigation-2d.json",
      description = "Environment spec (default ${DEFAULT-VALUE}).")
  Path env;

  @Option(names = "--test-tasks", defaultValue = "40", description = "Held-out test tasks (default ${DEFAULT-VALUE}).")
  int tasks;

  @Option(names = "--test-seed", defaultValue = "40",
      description = "Seed of the test tasks and sampling, the same for every method (default ${DEFAULT-VALUE}).")
  long testSeed;

  @Option(names = "--steps", defaultValue = "3", description = "Gradient steps of fine-tuning (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--episodes", defaultValue = "20",
      description = "Episodes per task for each step (default ${DEFAULT-VALUE}).")
  int episodes;

  @Option(names = "--fast-lr",
      description = "Step size α of the first step, α/2 after (default: the run's fast_lr, else 0.1).")
  Double fastLr;

  @Option(names = "--dtype", defaultValue = "float32", description = "float32 or float64 (default ${DEFAULT-VALUE}).")
  String dtype;

  TaskDistribution distribution() {
    Fields f = Fields.read(env);
    return EnvRegistry.standard().create(f);
  }

  DataType dataType() {
    return switch (dtype) {
      case "float32" -> DataType.FLOAT;
      case "float64" -> DataType.DOUBLE;
      default -> throw new IllegalArgumentException("--dtype must be float32 or float64, got " + dtype);
    };
  }

  /** The protocol, taking α, γ and λ from {@code reference}'s run when not given. */
  EvalConfig config(TrainedPolicy reference) {
    EvalConfig d = EvalConfig.defaults();
    double lr = fastLr != null ? fastLr
        : reference != null && Double.isFinite(reference.fastLr()) ? reference.fastLr() : d.fastLr();
    double gamma = reference != null && Double.isFinite(reference.gamma()) ? reference.gamma() : d.gamma();
    double lambda = reference != null && Double.isFinite(reference.gaeLambda()) ? reference.gaeLambda() : d.gaeLambda();
    return new EvalConfig(tasks, testSeed, steps, episodes, lr, gamma, lambda);
  }
}
