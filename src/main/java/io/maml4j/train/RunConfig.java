package io.maml4j.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.policy.PolicySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Everything that decides a run's numbers, resolved once from the environment spec, the policy
 * spec, a config file and command-line overrides (see {@link Run#resolve}), and recorded whole
 * in the run's {@code config.json}; {@code evaluate}, {@code paths} and {@code train --resume}
 * read it back from there.
 *
 * @param version the maml4j version that resolved it
 * @param env the environment spec
 * @param policy the policy spec
 * @param train the training config, seed included
 * @param threads worker threads that run the tasks; recorded for the record, since every task's
 *     numbers and their task-order reduction are the same at any thread count
 */
public record RunConfig(String version, EnvSpec env, PolicySpec policy, TrainConfig train, int threads) {
  /** This build's version, recorded in every {@code config.json}. */
  public static final String VERSION = "0.1.0";
  /** The name of the file a run directory records this in. */
  public static final String FILE = "config.json";
  static final int MAX_THREADS = 4096;

  public RunConfig {
    if (version == null || version.isBlank()) {
      throw new IllegalArgumentException("maml4j_version must be a version string, got " + version);
    }
    if (env == null || policy == null || train == null) {
      throw new IllegalArgumentException("a run needs an environment spec, a policy spec and a training config, got "
          + env + ", " + policy + " and " + train);
    }
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException("threads must be in [1, " + MAX_THREADS + "], got " + threads);
    }
  }

  /** One worker thread per available processor: the default of a new run. */
  public static int defaultThreads() {
    return Runtime.getRuntime().availableProcessors();
  }

  /** This run on another number of threads (the same numbers). */
  public RunConfig withThreads(int n) {
    return new RunConfig(version, env, policy, train, n);
  }

  /** This run with another training config (e.g. more iterations for a resume). */
  public RunConfig withTrain(TrainConfig t) {
    return new RunConfig(version, env, policy, t, threads);
  }

  /** The run as {@code config.json} holds it. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("maml4j_version", version);
    if (env.file() != null) {
      o.addProperty("env_spec", env.file());
    }
    o.add("env", env.json());
    o.add("policy", policy.toJson());
    o.add("train", train.toJson());
    o.addProperty("threads", threads);
    return o;
  }

  /**
   * Reads a run's {@code config.json}. A run written before the thread count was recorded gets
   * {@link #defaultThreads()}.
   *
   * @throws ConfigException one line naming the file and the field
   */
  public static RunConfig read(Path file) {
    return parse(Fields.read(file));
  }

  /**
   * A run config from the fields of a {@code config.json} object (a file's, or one shipped to a
   * cluster member). An optional {@code "cluster"} object records where the run ran and decides
   * nothing.
   *
   * @throws ConfigException one line naming the source and the field
   */
  public static RunConfig parse(Fields f) {
    f.has("cluster");
    String version = f.string("maml4j_version", "unknown");
    String envFile = f.string("env_spec", null);
    JsonElement envJ = f.raw("env");
    if (!envJ.isJsonObject() || !envJ.getAsJsonObject().has("env")) {
      throw ConfigException.field(f.source(), "env", "the environment spec object", envJ);
    }
    PolicySpec policy = PolicySpec.read(f.object("policy"));
    TrainConfig train = TrainConfig.defaults().merge(f.object("train"));
    int threads = f.integer("threads", defaultThreads(), 1, MAX_THREADS);
    f.finish();
    return new RunConfig(version, new EnvSpec(envFile, envJ.getAsJsonObject()), policy, train, threads);
  }

  /**
   * The {@code config.json} of the run that {@code path} belongs to: {@code path/config.json} for
   * a run directory, else the one beside the policy or checkpoint file; empty when there is none
   * (a policy in {@code policies/}, say).
   */
  public static Optional<Path> of(Path path) {
    Path dir = Files.isDirectory(path) ? path : path.toAbsolutePath().getParent();
    Path c = dir == null ? null : dir.resolve(FILE);
    return c != null && Files.isRegularFile(c) ? Optional.of(Files.isDirectory(path) ? path.resolve(FILE) : c)
        : Optional.empty();
  }
}
