package io.maml4j.envs;

import io.maml4j.config.Fields;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Multi-armed Bernoulli bandits, as in tristandeleu/pytorch-maml-rl after Duan et al. (2016,
 * "RL²"): a task is the vector of arm means p_i ~ U[0, 1], i = 1..K; pulling arm i pays 1 with
 * probability p_i and 0 otherwise. An episode is H pulls (pytorch-maml-rl uses H = 1 and counts
 * pulls as episodes); the horizon ends it as a terminal state, since nothing follows the last
 * pull.
 *
 * <p>The observation is the constant 1. (pytorch-maml-rl's current version observes 0, which with
 * zero-initialised biases leaves every hidden unit of a ReLU network without gradient.)
 */
public final class BernoulliBandit implements TaskDistribution {
  /** Task parameter holding the arm means [p_1, ..., p_K]. */
  public static final String MEANS = "means";

  private final int arms;
  private final int horizon;

  public BernoulliBandit(int arms, int horizon) {
    if (arms < 2) {
      throw new IllegalArgumentException("a bandit needs at least 2 arms, got " + arms);
    }
    if (horizon < 1) {
      throw new IllegalArgumentException("horizon must be at least 1, got " + horizon);
    }
    this.arms = arms;
    this.horizon = horizon;
  }

  /** Builds {@code "bandit"} with fields {@code arms} (default 10) and {@code horizon} (default 1). */
  static BernoulliBandit fromSpec(Fields f) {
    int k = f.integer("arms", 10, 2, 1 << 16);
    int h = f.integer("horizon", 1, 1, 1_000_000);
    f.finish();
    return new BernoulliBandit(k, h);
  }

  public int arms() {
    return arms;
  }

  /** {@code bandit-k<arms>}, so runs with different arm counts get different directories. */
  @Override
  public String name() {
    return "bandit-k" + arms;
  }

  @Override
  public Map<String, ParamRange> paramRanges() {
    return Map.of(MEANS, ParamRange.vector(arms, 0, 1));
  }

  @Override
  public Task sample(SplittableRandom rng) {
    double[] p = new double[arms];
    for (int i = 0; i < arms; i++) {
      p[i] = rng.nextDouble();
    }
    return task(p);
  }

  /** The bandit with the given arm means, each in [0, 1]. */
  public static Task task(double[] means) {
    for (double p : means) {
      if (!(p >= 0 && p <= 1)) {
        throw new IllegalArgumentException("arm means must be in [0, 1], got " + p);
      }
    }
    return new Task(Map.of(MEANS, means.clone()));
  }

  @Override
  public Environment make(Task task) {
    double[] p = task.vector(MEANS);
    if (p.length != arms) {
      throw new IllegalArgumentException("task has " + p.length + " arm means, this bandit has " + arms + " arms");
    }
    return new Env(p, horizon);
  }

  @Override
  public Space observationSpace() {
    return Box.of(1, 1.0, 1.0);
  }

  @Override
  public Space actionSpace() {
    return new Discrete(arms);
  }

  @Override
  public int horizon() {
    return horizon;
  }

  /** One bandit. Mutable: holds the pull count and the reward stream. */
  static final class Env implements Environment {
    private final double[] means;
    private final int horizon;
    private SplittableRandom rng;
    private int pulls;

    Env(double[] means, int horizon) {
      this.means = means.clone();
      this.horizon = horizon;
    }

    @Override
    public Space observationSpace() {
      return Box.of(1, 1.0, 1.0);
    }

    @Override
    public Space actionSpace() {
      return new Discrete(means.length);
    }

    @Override
    public double[] reset(long seed) {
      rng = new SplittableRandom(seed);
      pulls = 0;
      return new double[] {1.0};
    }

    @Override
    public StepResult step(double[] action) {
      if (rng == null || pulls >= horizon) {
        throw new IllegalStateException("bandit episode is over or not started; call reset first");
      }
      int arm = TabularMdp.index(action, means.length, "arm");
      double reward = rng.nextDouble() < means[arm] ? 1.0 : 0.0;
      pulls++;
      return new StepResult(new double[] {1.0}, reward, pulls == horizon, false);
    }
  }
}
