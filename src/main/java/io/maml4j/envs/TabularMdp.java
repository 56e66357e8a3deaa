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
 * Random tabular MDPs, as in tristandeleu/pytorch-maml-rl after Duan et al. (2016, "RL²"): S
 * states, A actions; a task draws mean rewards m(s, a) ~ N(1, 1) and transition rows P(· | s, a)
 * ~ Dirichlet(1, ..., 1). Each step pays r ~ N(m(s, a), 1) and moves to s' ~ P(· | s, a). Every
 * episode starts in state 0 and lasts H steps, the last of which is terminal (a finite-horizon
 * MDP). Observations are one-hot encodings of the state.
 */
public final class TabularMdp implements TaskDistribution {
  /** Task parameter: transition probabilities, flat [s][a][s']. */
  public static final String TRANSITIONS = "transitions";
  /** Task parameter: mean rewards, flat [s][a]. */
  public static final String REWARD_MEANS = "rewards_mean";

  private final int states;
  private final int actions;
  private final int horizon;

  public TabularMdp(int states, int actions, int horizon) {
    if (states < 1) {
      throw new IllegalArgumentException("num_states must be at least 1, got " + states);
    }
    if (actions < 2) {
      throw new IllegalArgumentException("num_actions must be at least 2, got " + actions);
    }
    if (horizon < 1) {
      throw new IllegalArgumentException("horizon must be at least 1, got " + horizon);
    }
    this.states = states;
    this.actions = actions;
    this.horizon = horizon;
  }

  /** pytorch-maml-rl's TabularMDP-v0: 10 states, 5 actions, H = 10. */
  public static TabularMdp standard() {
    return new TabularMdp(10, 5, 10);
  }

  /** Builds {@code "tabular-mdp"} from fields num_states, num_actions and horizon. */
  static TabularMdp fromSpec(Fields f) {
    int s = f.integer("num_states", 10, 1, 10_000);
    int a = f.integer("num_actions", 5, 2, 10_000);
    int h = f.integer("horizon", 10, 1, 1_000_000);
    f.finish();
    return new TabularMdp(s, a, h);
  }

  public int states() {
    return states;
  }

  public int actions() {
    return actions;
  }

  @Override
  public String name() {
    return "tabular-mdp";
  }

  @Override
  public Map<String, ParamRange> paramRanges() {
    // Mean rewards are drawn from a normal law: any finite value is a task.
    return Map.of(TRANSITIONS, ParamRange.vector(states * actions * states, 0, 1),
        REWARD_MEANS, ParamRange.vector(states * actions, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY));
  }

  @Override
  public Task sample(SplittableRandom rng) {
    double[] p = new double[states * actions * states];
    for (int row = 0; row < states * actions; row++) {
      // Dirichlet(1, ..., 1): normalised independent Exp(1) (= Gamma(1, 1)) draws.
      double sum = 0;
      for (int j = 0; j < states; j++) {
        double e = rng.nextExponential();
        p[row * states + j] = e;
        sum += e;
      }
      for (int j = 0; j < states; j++) {
        p[row * states + j] /= sum;
      }
    }
    double[] m = new double[states * actions];
    for (int i = 0; i < m.length; i++) {
      m[i] = 1.0 + rng.nextGaussian();
    }
    return new Task(Map.of(TRANSITIONS, p, REWARD_MEANS, m));
  }

  @Override
  public Environment make(Task task) {
    double[] p = task.vector(TRANSITIONS);
    double[] m = task.vector(REWARD_MEANS);
    if (p.length != states * actions * states || m.length != states * actions) {
      throw new IllegalArgumentException("task has " + p.length + " transition and " + m.length
          + " reward entries, expected " + states * actions * states + " and " + states * actions);
    }
    return new Env(states, actions, horizon, p, m);
  }

  @Override
  public Space observationSpace() {
    return Box.of(states, 0.0, 1.0);
  }

  @Override
  public Space actionSpace() {
    return new Discrete(actions);
  }

  @Override
  public int horizon() {
    return horizon;
  }

  /** A discrete action as an index in [0, n), or an error naming what it is. */
  static int index(double[] action, int n, String what) {
    if (action.length != 1 || action[0] != Math.rint(action[0]) || action[0] < 0 || action[0] >= n) {
      throw new IllegalArgumentException(what + " must be one index in [0, " + n + "), got "
          + java.util.Arrays.toString(action));
    }
    return (int) action[0];
  }

  /** One MDP. Mutable: holds the state, the step count and the random stream. */
  static final class Env implements Environment {
    private final int states;
    private final int actions;
    private final int horizon;
    private final double[] transitions;
    private final double[] rewardMeans;
    private SplittableRandom rng;
    private int state;
    private int steps;

    Env(int states, int actions, int horizon, double[] transitions, double[] rewardMeans) {
      this.states = states;
      this.actions = actions;
      this.horizon = horizon;
      this.transitions = transitions.clone();
      this.rewardMeans = rewardMeans.clone();
    }

    @Override
    public Space observationSpace() {
      return Box.of(states, 0.0, 1.0);
    }

    @Override
    public Space actionSpace() {
      return new Discrete(actions);
    }

    private double[] observation() {
      double[] o = new double[states];
      o[state] = 1.0;
      return o;
    }

    /** The current state, for tests. */
    int state() {
      return state;
    }

    @Override
    public double[] reset(long seed) {
      rng = new SplittableRandom(seed);
      state = 0;
      steps = 0;
      return observation();
    }

    @Override
    public StepResult step(double[] action) {
      if (rng == null || steps >= horizon) {
        throw new IllegalStateException("tabular-MDP episode is over or not started; call reset first");
      }
      int a = index(action, actions, "action");
      double reward = rewardMeans[state * actions + a] + rng.nextGaussian();
      double u = rng.nextDouble();
      int row = (state * actions + a) * states;
      int next = states - 1;
      double c = 0;
      for (int j = 0; j < states; j++) {
        c += transitions[row + j];
        if (u < c) {
          next = j;
          break;
        }
      }
      state = next;
      steps++;
      return new StepResult(observation(), reward, steps == horizon, false);
    }
  }
}
