package io.maml4j.cli;

import io.maml4j.train.TrainConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maml4j held-out}: an alias of {@code evaluate} under the option names of the locomotion
 * section (--policy, --tasks, --seed, --fast-batch-size). It runs the one evaluation protocol, so
 * its numbers are evaluate's for the same options; the spec's {@code train} section supplies α and
 * the episodes per step where the options do not.
 */
@Command(name = "held-out", mixinStandardHelpOptions = true,
    description = "Alias of evaluate: fine-tune a meta-policy on held-out tasks and report the return after each "
        + "gradient step (prints the equivalent evaluate command).")
public final class HeldOutCommand implements Callable<Integer> {
  @Option(names = "--env", required = true, description = "Environment spec, e.g. environments/half-cheetah-vel.json.")
  Path env;

  @Option(names = "--policy", required = true, description = "Meta-policy file (a run's policy.json or checkpoint.json).")
  Path policyFile;

  @Option(names = "--tasks", defaultValue = "40", description = "Held-out tasks (evaluate's --test-tasks; default ${DEFAULT-VALUE}).")
  int tasks;

  @Option(names = "--seed", defaultValue = "40",
      description = "Seed of the task draw and the episodes (evaluate's --test-seed; default ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--steps", defaultValue = "3", description = "Gradient steps (default ${DEFAULT-VALUE}).")
  int steps;

  @Option(names = "--fast-batch-size",
      description = "Episodes per task for each step (evaluate's --episodes; default: the spec's fast_batch_size).")
  Integer fastBatchSize;

  @Option(names = "--inner-estimator", paramLabel = "NAME",
      description = "Inner step (evaluate's --inner-estimator; default: the run's, else reinforce).")
  String innerEstimator;

  @Option(names = "--out", description = "Chart PNG; JSON and CSV go beside it (a .json name is given a .png chart).")
  Path out;

  @Override
  public Integer call() {
    TrainConfig cfg = MetaPolicyFiles.trainConfig(env);
    List<String> args = new ArrayList<>(List.of("evaluate", policyFile.toString(), "--env", env.toString(),
        "--test-tasks", Integer.toString(tasks), "--test-seed", Long.toString(seed), "--steps", Integer.toString(steps),
        "--episodes", Integer.toString(fastBatchSize != null ? fastBatchSize : cfg.fastBatchSize()),
        "--fast-lr", Double.toString(cfg.maml().fastLr())));
    if (innerEstimator != null) {
      args.addAll(List.of("--inner-estimator", innerEstimator));
    }
    if (out != null) {
      String name = out.getFileName().toString();
      args.addAll(List.of("--out", out.resolveSibling(name.toLowerCase(Locale.ROOT).endsWith(".json")
          ? name.substring(0, name.length() - 5) + ".png" : name).toString()));
    }
    System.err.println("maml4j held-out: same as maml4j " + String.join(" ", args));
    return Main.execute(args.toArray(String[]::new));
  }
}
