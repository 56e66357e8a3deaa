package io.maml4j.cli;

import io.maml4j.contract.EnvironmentContract;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code maml4j check-env SPEC}: runs a few tasks of the spec's distribution through the
 * environment contract ({@link EnvironmentContract}) before any training: the first violation is
 * one line and exit code 2; otherwise one line per check and exit code 0.
 */
@Command(name = "check-env", mixinStandardHelpOptions = true,
    description = "Check that an environment spec's task distribution keeps the environment contract.")
public final class CheckEnvCommand implements Callable<Integer> {
  @Parameters(paramLabel = "SPEC", description = "Environment spec (JSON), e.g. environments/navigation-2d.json.")
  Path spec;

  @Option(names = "--tasks", defaultValue = "4", description = "Tasks drawn from the distribution (default ${DEFAULT-VALUE}).")
  int tasks;

  @Option(names = "--episodes", defaultValue = "3", description = "Episodes per task (default ${DEFAULT-VALUE}).")
  int episodes;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of the tasks, actions and resets (default ${DEFAULT-VALUE}).")
  long seed;

  @Override
  public Integer call() {
    EnvironmentContract.Options options = new EnvironmentContract.Options(tasks, episodes, seed);
    TaskDistribution dist = EnvRegistry.standard().load(spec);
    List<String> checked = new EnvironmentContract(dist, options).checkAll();
    System.out.println("maml4j: " + spec + ": environment '" + dist.name() + "' keeps the contract");
    for (String line : checked) {
      System.out.println("  " + line);
    }
    return 0;
  }
}
