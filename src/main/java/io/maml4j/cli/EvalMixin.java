package io.maml4j.cli;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.TrainedPolicy;
import io.maml4j.train.Run;
import io.maml4j.train.RunConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The test-protocol options of {@code evaluate}, {@code compare} and {@code paths}. The
 * environment is the policy's run's own (its {@code config.json}) unless {@code --env} names one.
 */
public final class EvalMixin {
  @Mixin
  EnvOption env;

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

  @Mixin
  DtypeOption dtype;

  /** What the policy is tested on: the environment, the number type, and where the spec came from. */
  record Target(TaskDistribution distribution, DataType type, String source) {}

  /**
   * The environment of {@code --env}, else of the run that {@code policy} belongs to (its {@code
   * config.json}); the type of {@code --dtype}, else the run's, else float32.
   *
   * @throws ConfigException when there is no {@code --env} and no {@code config.json} to take the
   *     environment from
   */
  Target target(Path policy) {
    Optional<Path> config = RunConfig.of(policy);
    Run run = config.isPresent() && env.env == null ? Run.read(config.get()) : null;
    DataType type = dtype.dataType(run != null ? run.train().dtype() : config.map(EvalMixin::dtypeOf).orElse("float32"));
    if (env.env != null) {
      return new Target(EnvRegistry.standard().create(Fields.read(env.env)), type, env.env.toString());
    }
    if (run == null) {
      throw new ConfigException(policy + ": no config.json " + (Files.isDirectory(policy) ? "in this run directory"
          : "beside this policy file") + " to take the environment from; pass --env SPEC (e.g. --env"
          + " environments/navigation-2d.json)");
    }
    return new Target(run.distribution(), type, config.get() + " (in 'env')");
  }

  /** The run's dtype; with {@code --env} given, a config.json of an older format only loses this default. */
  private static String dtypeOf(Path config) {
    try {
      return RunConfig.read(config).train().dtype();
    } catch (ConfigException older) {
      return "float32";
    }
  }

  /**
   * The protocol, taking α, γ and λ from {@code reference}'s run when not given, and the run's
   * inner estimator (else REINFORCE), so that every command adapts as the run was trained to.
   */
  EvalConfig config(TrainedPolicy reference) {
    EvalConfig d = EvalConfig.defaults();
    double lr = fastLr != null ? fastLr
        : reference != null && Double.isFinite(reference.fastLr()) ? reference.fastLr() : d.fastLr();
    double gamma = reference != null && Double.isFinite(reference.gamma()) ? reference.gamma() : d.gamma();
    double lambda = reference != null && Double.isFinite(reference.gaeLambda()) ? reference.gaeLambda() : d.gaeLambda();
    String estimator = reference != null && reference.innerEstimator() != null ? reference.innerEstimator()
        : "reinforce";
    return new EvalConfig(tasks, testSeed, steps, episodes, lr, gamma, lambda, estimator);
  }
}
