package io.maml4j.cli;

import io.maml4j.config.Fields;
import io.maml4j.experiments.BanditExperiment;
import io.maml4j.train.TrainConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maml4j bandit}: adapted meta-policy against random and unadapted policies on held-out bandits. */
@Command(name = "bandit", mixinStandardHelpOptions = true,
    description = "Meta-train on Bernoulli bandits (or load a meta-policy) and compare, on held-out bandits, the"
        + " expected return of a uniform random policy, the unadapted meta-policy and the adapted one.")
public final class BanditCommand implements Callable<Integer> {
  @Option(names = "--env", defaultValue = "environments/bandit-k10.json", description = "Bandit spec (default ${DEFAULT-VALUE}).")
  Path env;

  @Option(names = "--policy", description = "Evaluate this trained policy.json or checkpoint.json instead of training.")
  Path policy;

  @Option(names = "--out", defaultValue = "runs/bandit-experiment", description = "Output directory (default ${DEFAULT-VALUE}).")
  Path out;

  @Option(names = "--iterations", description = "Meta-iterations when training here (default: the spec's num_batches).")
  Integer iterations;

  @Option(names = "--seed", defaultValue = "1", description = "Training seed (default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--tasks", defaultValue = "200", description = "Held-out bandits (default ${DEFAULT-VALUE}).")
  int tasks;

  @Option(names = "--test-seed", defaultValue = "1000", description = "Seed of the held-out bandits (default ${DEFAULT-VALUE}).")
  long testSeed;

  @Option(names = "--validate-every", defaultValue = "10",
      description = "When training: score on validation bandits every N iterations and report the best (0: the last;"
          + " default ${DEFAULT-VALUE}).")
  int validateEvery;

  @Option(names = "--validation-tasks", defaultValue = "100", description = "Validation bandits (default ${DEFAULT-VALUE}).")
  int validationTasks;

  @Override
  public Integer call() {
    int n = iterations != null ? iterations : TrainConfig.forSpec(Fields.read(env)).numBatches();
    new BanditExperiment(new BanditExperiment.Options(env, out, policy, n, seed, tasks, testSeed,
        validateEvery, validationTasks), System.out).run();
    System.out.println("maml4j: wrote " + out.resolve("bandit-eval.json"));
    return 0;
  }
}
