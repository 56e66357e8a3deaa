package io.maml4j.cli;

import com.google.gson.JsonObject;
import io.maml4j.cluster.ClusterDriver;
import io.maml4j.cluster.ClusterSettings;
import io.maml4j.cluster.Secrets;
import io.maml4j.train.Run;
import io.maml4j.train.Trainer;
import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * The {@code --cluster} options of {@code train} and {@code bench}: without {@code --cluster} the
 * tasks run on threads of this process; with it, on the workers of a Hazelcast cluster, with the
 * same numbers.
 */
public final class ClusterOptions {
  @Option(names = "--cluster", split = ",", paramLabel = "HOST:PORT",
      description = "Run the tasks on the maml4j workers of this cluster (addresses of one or more of them) instead"
          + " of threads of this process; the numbers are the same.")
  List<String> cluster;

  @Option(names = "--cluster-name", defaultValue = ClusterSettings.DEFAULT_NAME,
      description = "Cluster name (default ${DEFAULT-VALUE}); with --cluster.")
  String name;

  @Option(names = "--secret-env", paramLabel = "VAR", defaultValue = Secrets.DEFAULT_ENV,
      description = "Environment variable holding the cluster's shared secret (default ${DEFAULT-VALUE}).")
  String secretEnv;

  @Option(names = "--bind", paramLabel = "ADDR", defaultValue = ClusterSettings.LOOPBACK,
      description = "Address this process binds in the cluster (default ${DEFAULT-VALUE}, loopback).")
  String bind;

  @Option(names = "--round-timeout", paramLabel = "SECONDS", defaultValue = "600",
      description = "Seconds to wait for a worker's answer to one round before its tasks are re-run elsewhere"
          + " (default ${DEFAULT-VALUE}).")
  long roundTimeout;

  /** Whether --cluster was given. */
  boolean given() {
    return cluster != null && !cluster.isEmpty();
  }

  /** Joins the cluster as a driver; null without --cluster. */
  ClusterDriver connect() {
    if (!given()) {
      return null;
    }
    if (roundTimeout < 1) {
      throw new IllegalArgumentException("--round-timeout must be at least 1 second, got " + roundTimeout);
    }
    ClusterSettings s = new ClusterSettings(cluster, name, Secrets.fromEnv(secretEnv), bind,
        ClusterSettings.DEFAULT_PORT, Duration.ofSeconds(roundTimeout));
    ClusterDriver d = new ClusterDriver(s);
    System.err.printf("maml4j: joined cluster '%s' as a driver: %d worker(s)%n", name, d.workers().size());
    return d;
  }

  /** A trainer of {@code run} on the driver's workers, or in this process without a driver. */
  static Trainer trainer(Run run, io.maml4j.meta.MetaLearner learner, ClusterDriver driver) {
    return driver == null ? run.trainer(learner)
        : new Trainer(run.distribution(), run.policy(), run.train(), learner, driver.executors(run));
  }

  /** What config.json records of the cluster a run started on; it decides no number. */
  static JsonObject record(ClusterDriver driver, ClusterOptions o) {
    JsonObject c = new JsonObject();
    c.addProperty("name", o.name);
    c.addProperty("workers", driver.workers().size());
    return c;
  }
}
