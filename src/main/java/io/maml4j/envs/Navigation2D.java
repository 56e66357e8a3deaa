package io.maml4j.envs;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.Box;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import java.util.SplittableRandom;

/**
 * The MAML paper's 2D navigation task (Finn et al. 2017, Section 5.2): a point robot starts at
 * the origin and must reach a goal g ~ U[low, high]^2; s' = s + clip(a, -0.1, 0.1), reward
 * -||s' - g||, and the episode ends within 0.01 of the goal on both axes, or after H steps.
 */
public final class Navigation2D implements TaskDistribution {
  /** Task parameter holding the goal as [x, y]. */
  public static final String GOAL = "goal";

  private final double low;
  private final double high;
  private final int horizon;

  /** Builds from a spec's {@code goal_low}, {@code goal_high} (defaults ±0.5) and {@code horizon} (100). */
  static Navigation2D fromSpec(Fields f) {
    double low = f.number("goal_low", -0.5);
    double high = f.number("goal_high", 0.5);
    int horizon = f.integer("horizon", 100, 1, 1_000_000);
    f.finish();
    if (!(low < high)) {
      throw ConfigException.field(f.source(), "goal_high", "a number greater than goal_low (" + low + ")", high);
    }
    return new Navigation2D(low, high, horizon);
  }

  public Navigation2D(double low, double high, int horizon) {
    if (!(low < high)) {
      throw new IllegalArgumentException("goal_low must be less than goal_high, got " + low + " and " + high);
    }
    if (horizon <= 0) {
      throw new IllegalArgumentException("horizon must be greater than 0, got " + horizon);
    }
    this.low = low;
    this.high = high;
    this.horizon = horizon;
  }

  /** The paper's setting: goals in [-0.5, 0.5]^2, H = 100. */
  public static Navigation2D standard() {
    return new Navigation2D(-0.5, 0.5, 100);
  }

  @Override
  public String name() {
    return "navigation-2d";
  }

  @Override
  public java.util.Map<String, ParamRange> paramRanges() {
    return java.util.Map.of(GOAL, ParamRange.vector(2, low, high));
  }

  @Override
  public Task sample(SplittableRandom rng) {
    double gx = low + (high - low) * rng.nextDouble();
    double gy = low + (high - low) * rng.nextDouble();
    return goal(gx, gy);
  }

  /** The task of reaching a given goal. */
  public static Task goal(double x, double y) {
    return new Task(java.util.Map.of(GOAL, new double[] {x, y}));
  }

  @Override
  public Environment make(Task task) {
    return new Env(task.vector(GOAL));
  }

  @Override
  public Space observationSpace() {
    return Box.of(2, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  }

  @Override
  public Space actionSpace() {
    return Box.of(2, -0.1, 0.1);
  }

  @Override
  public int horizon() {
    return horizon;
  }

  /** One point robot with a fixed goal. Mutable: holds the position. */
  static final class Env implements Environment {
    private final double gx;
    private final double gy;
    private double x;
    private double y;
    /** Not started, or the goal was reached: a step is refused until the next reset. */
    private boolean over = true;

    Env(double[] goal) {
      if (goal.length != 2) {
        throw new IllegalArgumentException("goal must have 2 coordinates, got " + goal.length);
      }
      this.gx = goal[0];
      this.gy = goal[1];
    }

    @Override
    public Space observationSpace() {
      return Box.of(2, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    @Override
    public Space actionSpace() {
      return Box.of(2, -0.1, 0.1);
    }

    @Override
    public double[] reset(long seed) {
      x = 0;
      y = 0;
      over = false;
      return new double[] {x, y};
    }

    @Override
    public StepResult step(double[] action) {
      if (action.length != 2) {
        throw new IllegalArgumentException("navigation action must have 2 entries, got " + action.length);
      }
      if (over) {
        throw new IllegalStateException("navigation episode is over or not started; call reset first");
      }
      x += clip(action[0]);
      y += clip(action[1]);
      double dx = x - gx;
      double dy = y - gy;
      double reward = -Math.sqrt(dx * dx + dy * dy);
      boolean reached = Math.abs(dx) < 0.01 && Math.abs(dy) < 0.01;
      over = reached;
      return new StepResult(new double[] {x, y}, reward, reached, false);
    }

    private static double clip(double a) {
      if (Double.isNaN(a)) {
        throw new IllegalArgumentException("navigation action is NaN");
      }
      return Math.max(-0.1, Math.min(0.1, a));
    }
  }
}
