package io.maml4j.envs;

/**
 * Registers the environments of issue 6: sinusoid regression (supervised, H = 1), Bernoulli
 * bandits and random tabular MDPs (discrete actions).
 */
public final class SupervisedAndDiscrete {
  private SupervisedAndDiscrete() {}

  /** Registers {@code sinusoid}, {@code bandit} and {@code tabular-mdp}. */
  public static void register() {
    Sinusoid.register();
    BernoulliBandit.register();
    TabularMdp.register();
  }
}
