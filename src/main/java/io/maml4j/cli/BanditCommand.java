package io.maml4j.cli;

import io.maml4j.experiments.BanditExperiment;
import io.maml4j.train.Run;
import io.maml4j.train.RunConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maml4j bandit}: adapted meta-policy against random and unadapted policies on held-out bandits. */
@Command(name = "bandit", mixinStandardHelpOptions = true,
    description = "Meta-train on Bernoulli bandits (or load a meta-policy) and compare, on held-out bandits, the"
        + " expected return of a uniform random policy, the unadapted meta-policy and the adapted one (default --env"
        + " environments/bandit-k10.json, --out runs/bandit-experiment; the training options override the spec's"
        + " \"train\" section).")
public final class BanditCommand implements Callable<Integer> {
  @Mixin
  EnvOption env;

  @Option(names = "--policy", description = "Evaluate this trained policy.json or checkpoint.json instead of training.")
  Path policy;

  @Mixin
  OutDirOption out;

  @Mixin
  TrainOptions train;

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
    Run run = Run.resolve(env.orDefault(Path.of("environments", "bandit-k10.json")), null, train.overrides(),
        RunConfig.defaultThreads());
    Path dir = out.orElse(Path.of("runs", "bandit-experiment"));
    new BanditExperiment(run, new BanditExperiment.Options(dir, policy, tasks, testSeed, validateEvery,
        validationTasks), System.out).run();
    System.out.println("maml4j: wrote " + dir.resolve("bandit-eval.json"));
    return 0;
  }
}
