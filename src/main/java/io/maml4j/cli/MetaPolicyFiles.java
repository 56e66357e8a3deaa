package io.maml4j.cli;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.train.Checkpoint;
import io.maml4j.train.TrainConfig;
import java.nio.file.Path;

/** What evaluate and render read: an environment spec, its training defaults and a saved meta-policy. */
final class MetaPolicyFiles {
  private MetaPolicyFiles() {}

  /** The training config of a spec: the defaults, overridden by the spec's {@code "train"} section. */
  static TrainConfig trainConfig(Path env) {
    return TrainConfig.forSpec(Fields.read(env));
  }

  /** A policy for {@code dist} built from a checkpoint's spec, naming the file if it does not fit. */
  static Policy policy(Path file, Checkpoint ck, TaskDistribution dist) {
    try {
      return Policies.create(ck.spec(), dist.observationSpace(), dist.actionSpace());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(file + ": " + e.getMessage());
    }
  }

  /**
   * Fails unless the parameters fit the policy (e.g. a policy trained on another environment):
   * the one check, {@link Checkpoint#requireParamsOf}, that resume and the run assembly use too.
   */
  static void checkFits(Path file, Checkpoint ck, Policy policy, TrainConfig cfg) {
    ck.requireParamsOf(policy, file);
  }
}
