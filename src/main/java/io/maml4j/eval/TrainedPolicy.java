package io.maml4j.eval;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A trained policy loaded for an environment: the policy built from the stored spec, its
 * parameters, and the training hyperparameters the evaluation should reuse when the policy sits
 * in a run directory beside its {@code config.json}.
 *
 * @param file the policy or checkpoint file read
 * @param fastLr the run's inner step size α, or NaN when unknown
 * @param gamma the run's discount, or NaN when unknown
 * @param gaeLambda the run's GAE λ, or NaN when unknown
 */
public record TrainedPolicy(Path file, Policy policy, Params params, double fastLr, double gamma, double gaeLambda) {

  /**
   * Loads {@code path} (a policy or checkpoint file, or a run directory holding {@code
   * policy.json} or else {@code checkpoint.json}) and checks that it fits {@code dist}'s spaces.
   *
   * @throws ConfigException one line naming the file and the mismatch
   */
  public static TrainedPolicy load(Path path, TaskDistribution dist, DataType type) {
    Path file = path;
    if (Files.isDirectory(path)) {
      file = Files.exists(path.resolve("policy.json")) ? path.resolve("policy.json") : path.resolve("checkpoint.json");
      if (!Files.exists(file)) {
        throw new ConfigException(path + ": no policy.json or checkpoint.json in this run directory");
      }
    }
    Checkpoint ck = Checkpoint.load(file, type);
    Policy policy;
    try {
      policy = Policies.create(ck.spec(), dist.observationSpace(), dist.actionSpace());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(file + ": policy does not fit environment " + dist.name() + ": " + e.getMessage());
    }
    checkShapes(file, dist, policy, ck.params());
    double lr = Double.NaN;
    double gamma = Double.NaN;
    double lambda = Double.NaN;
    Path config = file.toAbsolutePath().getParent().resolve("config.json");
    if (Files.exists(config)) {
      try {
        Fields f = Fields.read(config);
        if (f.has("train")) {
          Fields t = f.object("train");
          lr = t.number("fast_lr", Double.NaN);
          gamma = t.number("gamma", Double.NaN);
          lambda = t.number("gae_lambda", Double.NaN);
        }
      } catch (ConfigException ignored) {
        // The config only supplies defaults; a damaged one leaves them to the caller.
      }
    }
    return new TrainedPolicy(file, policy, ck.params(), lr, gamma, lambda);
  }

  /** Fresh parameters of the same architecture, as the "random initialisation" baseline. */
  public Params randomInit(long seed, DataType type) {
    return policy.init(new SplittableRandom(seed), type);
  }

  private static void checkShapes(Path file, TaskDistribution dist, Policy policy, Params stored) {
    Params expected = policy.init(new SplittableRandom(0), DataType.DOUBLE);
    if (!expected.names().equals(stored.names())) {
      throw new ConfigException(file + ": policy parameters " + stored.names() + " do not match the spec's "
          + expected.names());
    }
    for (String n : expected.names()) {
      long[] want = expected.get(n).shape();
      long[] got = stored.get(n).shape();
      if (!Arrays.equals(want, got)) {
        throw new ConfigException(file + ": policy does not fit environment " + dist.name() + " (observations "
            + dist.observationSpace().flatSize() + ", actions " + dist.actionSpace().flatSize() + "): parameter '"
            + n + "' has shape " + Arrays.toString(got) + ", expected " + Arrays.toString(want));
      }
    }
  }
}
