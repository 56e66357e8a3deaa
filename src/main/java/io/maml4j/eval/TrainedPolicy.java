package io.maml4j.eval;

import io.maml4j.config.ConfigException;
import io.maml4j.env.TaskDistribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.train.Checkpoint;
import io.maml4j.train.RunConfig;
import io.maml4j.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * @param innerEstimator the run's {@code inner_estimator}, or null when unknown
 */
public record TrainedPolicy(Path file, Policy policy, Params params, double fastLr, double gamma, double gaeLambda,
    String innerEstimator) {

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
    ck.requireParamsOf(policy, file);
    Path config = file.toAbsolutePath().getParent().resolve(RunConfig.FILE);
    if (!Files.exists(config)) {
      return new TrainedPolicy(file, policy, ck.params(), Double.NaN, Double.NaN, Double.NaN, null);
    }
    // The run's own record, read as strictly as every other command reads it: a damaged
    // config.json is one clear error, not silently replaced by defaults.
    TrainConfig t = RunConfig.read(config).train();
    return new TrainedPolicy(file, policy, ck.params(), t.maml().fastLr(), t.gamma(), t.gaeLambda(),
        t.innerEstimator());
  }

  /** Fresh parameters of the same architecture, as the "random initialisation" baseline. */
  public Params randomInit(long seed, DataType type) {
    return policy.init(new SplittableRandom(seed), type);
  }
}
