package io.maml4j.cli;

import io.maml4j.cluster.ClusterSettings;
import io.maml4j.cluster.Secrets;
import io.maml4j.cluster.Worker;
import io.maml4j.train.RunConfig;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maml4j worker}: a cluster member that runs drivers' tasks until it is stopped. */
@Command(name = "worker", mixinStandardHelpOptions = true,
    description = "Start a cluster worker that runs the tasks of train/bench --cluster runs until stopped (Ctrl-C)."
        + " The shared secret is read from an environment variable (--secret-env); traffic is not encrypted, so"
        + " keep the cluster on a private network.")
public final class WorkerCommand implements Callable<Integer> {
  @Option(names = "--join", split = ",", paramLabel = "HOST:PORT",
      description = "Members to join (default: none, this is the first member).")
  List<String> join = List.of();

  @Option(names = "--port", defaultValue = "" + ClusterSettings.DEFAULT_PORT,
      description = "First port to listen on; the next free one is taken if it is busy (default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--threads", description = "Threads that run this worker's tasks (default: one per core).")
  Integer threads;

  @Option(names = "--cluster-name", defaultValue = ClusterSettings.DEFAULT_NAME,
      description = "Cluster name (default ${DEFAULT-VALUE}).")
  String name;

  @Option(names = "--secret-env", paramLabel = "VAR", defaultValue = Secrets.DEFAULT_ENV,
      description = "Environment variable holding the cluster's shared secret (default ${DEFAULT-VALUE}).")
  String secretEnv;

  @Option(names = "--bind", paramLabel = "ADDR", defaultValue = ClusterSettings.LOOPBACK,
      description = "Address to bind and advertise (default ${DEFAULT-VALUE}: loopback, this host only).")
  String bind;

  @Override
  public Integer call() throws InterruptedException {
    ClusterSettings s = new ClusterSettings(join, name, Secrets.fromEnv(secretEnv), bind, port,
        ClusterSettings.DEFAULT_ROUND_TIMEOUT);
    Worker w = new Worker(s, threads != null ? threads : RunConfig.defaultThreads(), System.err::println);
    w.awaitShutdown();
    System.err.println("maml4j worker: stopped");
    return 0;
  }
}
