package io.maml4j.envs;

import java.util.Map;

/**
 * The environments of this package, offered to {@link EnvRegistry} through {@link
 * java.util.ServiceLoader} like any plug-in: 2D navigation and its oracle, sinusoid regression
 * (supervised, H = 1), Bernoulli bandits and random tabular MDPs.
 */
public final class BuiltInEnvironments implements EnvRegistry.Provider {
  @Override
  public Map<String, EnvRegistry.Factory> environments() {
    return Map.of(
        "navigation-2d", Navigation2D::fromSpec,
        "oracle", Oracle::fromSpec,
        "sinusoid", Sinusoid::fromSpec,
        "bandit", BernoulliBandit::fromSpec,
        "tabular-mdp", TabularMdp::fromSpec);
  }
}
