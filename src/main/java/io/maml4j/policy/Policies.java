package io.maml4j.policy;

import io.maml4j.env.Space;

/** Builds a policy from its spec and the spaces of the environment it acts in. */
public final class Policies {
  private Policies() {}

  public static Policy create(PolicySpec spec, Space observationSpace, Space actionSpace) {
    return switch (spec.type()) {
      case "gaussian-mlp" -> new GaussianMlpPolicy(spec, observationSpace, actionSpace);
      case "categorical-mlp" -> new CategoricalMlpPolicy(spec, observationSpace, actionSpace);
      case "deterministic-mlp" -> new DeterministicMlpPolicy(spec, observationSpace, actionSpace);
      case "conv-classifier" -> new ConvClassifierPolicy(spec, observationSpace, actionSpace);
      default -> throw new IllegalArgumentException("unknown policy type " + spec.type());
    };
  }
}
