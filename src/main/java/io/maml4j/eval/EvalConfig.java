package io.maml4j.eval;

import io.maml4j.meta.TaskLoss;

/**
 * How a starting policy is tested: the cbfinn/maml_rl protocol's knobs. Serializable: an
 * evaluation over a cluster sends it to the workers.
 *
 * @param tasks number of held-out test tasks (default 40, as in the reference test scripts)
 * @param testSeed seed that fixes the test tasks and the sampling randomness, shared by every
 *     method compared so that they face the same tasks (default 40)
 * @param steps gradient steps of fine-tuning; returns are reported after 0..steps steps (default 3)
 * @param episodes episodes sampled per task for each step (default 20)
 * @param fastLr α, the step size of the first step; later steps use α/2 (default 0.1, the
 *     training default)
 * @param gamma discount of the advantages
 * @param gaeLambda GAE λ of the advantages
 * @param innerEstimator the inner step's estimator, a run's {@code inner_estimator}: {@code
 *     reinforce} (default) and {@code lvc} take the REINFORCE step (LVC's gradient is REINFORCE's),
 *     {@code dice} DiCE's (advantages γ^t (G_t - b(s_t)), see {@link
 *     io.maml4j.meta.InnerEstimators#dice})
 */
public record EvalConfig(int tasks, long testSeed, int steps, int episodes, double fastLr, double gamma,
    double gaeLambda, String innerEstimator) implements java.io.Serializable {
  public static final int DEFAULT_TASKS = 40;
  public static final long DEFAULT_TEST_SEED = 40;
  public static final int DEFAULT_STEPS = 3;
  public static final int DEFAULT_EPISODES = 20;
  public static final double DEFAULT_FAST_LR = 0.1;

  public EvalConfig {
    if (tasks < 1) {
      throw new IllegalArgumentException("test tasks must be at least 1, got " + tasks);
    }
    if (steps < 0) {
      throw new IllegalArgumentException("gradient steps must be at least 0, got " + steps);
    }
    if (episodes < 1) {
      throw new IllegalArgumentException("episodes per step must be at least 1, got " + episodes);
    }
    if (!(fastLr >= 0) || !Double.isFinite(fastLr)) {
      throw new IllegalArgumentException("fast_lr must be a finite number >= 0, got " + fastLr);
    }
    if (!(gamma > 0 && gamma <= 1)) {
      throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
    }
    if (!(gaeLambda >= 0 && gaeLambda <= 1)) {
      throw new IllegalArgumentException("gae_lambda must be in [0, 1], got " + gaeLambda);
    }
    if (!TaskLoss.ESTIMATORS.contains(innerEstimator)) {
      throw new IllegalArgumentException("inner_estimator must be one of " + TaskLoss.ESTIMATORS + ", got "
          + innerEstimator);
    }
  }

  /** The protocol with the REINFORCE inner step. */
  public EvalConfig(int tasks, long testSeed, int steps, int episodes, double fastLr, double gamma, double gaeLambda) {
    this(tasks, testSeed, steps, episodes, fastLr, gamma, gaeLambda, "reinforce");
  }

  /** The same protocol with another inner estimator. */
  public EvalConfig withInnerEstimator(String estimator) {
    return new EvalConfig(tasks, testSeed, steps, episodes, fastLr, gamma, gaeLambda, estimator);
  }

  /**
   * The inner step's loss: DiCE's for {@code dice}; REINFORCE's for {@code reinforce} and for
   * {@code lvc}, whose first derivative it is, so that ProMP and LVC runs are evaluated exactly as
   * before estimators were recorded.
   */
  public TaskLoss innerLoss() {
    return innerEstimator.equals("dice") ? TaskLoss.DICE : TaskLoss.REINFORCE;
  }

  public static EvalConfig defaults() {
    return new EvalConfig(DEFAULT_TASKS, DEFAULT_TEST_SEED, DEFAULT_STEPS, DEFAULT_EPISODES, DEFAULT_FAST_LR, 0.99,
        1.0);
  }

  /** The step size of gradient step {@code s} (0-based): α for the first, α/2 after. */
  public double stepSize(int s) {
    return s == 0 ? fastLr : fastLr / 2;
  }

  public com.google.gson.JsonObject toJson() {
    com.google.gson.JsonObject o = new com.google.gson.JsonObject();
    o.addProperty("test_tasks", tasks);
    o.addProperty("test_seed", testSeed);
    o.addProperty("gradient_steps", steps);
    o.addProperty("episodes_per_step", episodes);
    o.addProperty("fast_lr", fastLr);
    o.addProperty("later_lr", fastLr / 2);
    o.addProperty("gamma", gamma);
    o.addProperty("gae_lambda", gaeLambda);
    o.addProperty("inner_estimator", innerEstimator);
    return o;
  }
}
