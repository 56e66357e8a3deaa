package io.maml4j.locomotion;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.Task;
import io.maml4j.mujoco.MjException;
import io.maml4j.mujoco.MjModel;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The five locomotion task families of MAML (Finn et al. 2017, Section 5.3) and its reference
 * implementations, by spec name. Each fixes a robot, what a task asks of it and how tasks are
 * drawn; the reward is the task term below plus the robot's costs and bonus ({@link Robot}), with
 * v = (x' - x) / dt the torso's forward velocity over the step:
 *
 * <ul>
 *   <li>{@code half-cheetah-vel}: v_goal ~ U[0, 2]; -|v - v_goal|.
 *   <li>{@code half-cheetah-dir}: d = ±1 with probability 1/2 each; d · v.
 *   <li>{@code ant-vel}: v_goal ~ U[0, 3]; -|v - v_goal| + 1.
 *   <li>{@code ant-dir}: d = ±1; d · v.
 *   <li>{@code ant-goal}: g ~ U[-3, 3]²; -(|x' - g_x| + |y' - g_y|) + 4.
 * </ul>
 *
 * <p>These are pytorch-maml-rl's {@code HalfCheetahVelEnv}, {@code HalfCheetahDirEnv}, {@code
 * AntVelEnv}, {@code AntDirEnv} and {@code AntPosEnv}; the constants 1 and 4 are cbfinn/maml_rl's
 * ("make it happy, not suicidal"). Observations leave out the root's x (cheetah) or x and y (ant),
 * as gym's HalfCheetah-v2 and Ant-v2 do; ant-goal keeps x and y, as cbfinn/maml_rl's and ProMP's
 * goal environments do, because without them the goal is not observable.
 */
public enum Locomotion {
  HALF_CHEETAH_VEL("half-cheetah-vel", Robot.HALF_CHEETAH, Goal.VELOCITY, 0.0, 2.0, 0.0, 1),
  HALF_CHEETAH_DIR("half-cheetah-dir", Robot.HALF_CHEETAH, Goal.DIRECTION, -1, 1, 0.0, 1),
  ANT_VEL("ant-vel", Robot.ANT, Goal.VELOCITY, 0.0, 3.0, 1.0, 2),
  ANT_DIR("ant-dir", Robot.ANT, Goal.DIRECTION, -1, 1, 0.0, 2),
  ANT_GOAL("ant-goal", Robot.ANT, Goal.POSITION, -3.0, 3.0, 4.0, 0);

  /** What a task of a family specifies. */
  public enum Goal {
    /** A target forward velocity in m/s, task parameter {@code "velocity"}. */
    VELOCITY("velocity"),
    /** A direction, +1 forward or -1 backward, task parameter {@code "direction"}. */
    DIRECTION("direction"),
    /** A target torso position [x, y] in m, task parameter {@code "goal"}. */
    POSITION("goal");

    private final String param;

    Goal(String param) {
      this.param = param;
    }

    /** The name of the task parameter. */
    public String param() {
      return param;
    }
  }

  private final String specName;
  private final Robot robot;
  private final Goal goal;
  private final double defaultLow;
  private final double defaultHigh;
  private final double bonus;
  private final int hiddenRootCoordinates;

  Locomotion(String specName, Robot robot, Goal goal, double defaultLow, double defaultHigh, double bonus,
      int hiddenRootCoordinates) {
    this.specName = specName;
    this.robot = robot;
    this.goal = goal;
    this.defaultLow = defaultLow;
    this.defaultHigh = defaultHigh;
    this.bonus = bonus;
    this.hiddenRootCoordinates = hiddenRootCoordinates;
  }

  /** The family with this spec name. */
  public static Locomotion byName(String name) {
    for (Locomotion kind : values()) {
      if (kind.specName.equals(name)) {
        return kind;
      }
    }
    throw new IllegalArgumentException("no locomotion task family named '" + name + "'; known: "
        + List.of(values()).stream().map(Locomotion::specName).toList());
  }

  /** The name used in environment specs, e.g. {@code half-cheetah-vel}. */
  public String specName() {
    return specName;
  }

  public Robot robot() {
    return robot;
  }

  public Goal goal() {
    return goal;
  }

  /**
   * Default lower bound of the sampled goal: a velocity (m/s) or a position coordinate (m); unused
   * for directions.
   */
  public double defaultLow() {
    return defaultLow;
  }

  /** Default upper bound of the sampled goal. */
  public double defaultHigh() {
    return defaultHigh;
  }

  /** Constant added to the task term of the reward (1 for ant-vel, 4 for ant-goal, else 0). */
  public double bonus() {
    return bonus;
  }

  /** How many leading qpos coordinates (root x, then y) the observation leaves out. */
  public int hiddenRootCoordinates() {
    return hiddenRootCoordinates;
  }

  /** Draws a task: a velocity in [low, high), a direction ±1, or a position in [low, high)². */
  Task sample(SplittableRandom rng, double low, double high) {
    return switch (goal) {
      case VELOCITY -> velocity(low + (high - low) * rng.nextDouble());
      case DIRECTION -> direction(rng.nextBoolean() ? 1 : -1);
      case POSITION -> position(low + (high - low) * rng.nextDouble(), low + (high - low) * rng.nextDouble());
    };
  }

  /** The task of running at {@code v} m/s (velocity families). */
  public static Task velocity(double v) {
    return new Task(Map.of(Goal.VELOCITY.param, v));
  }

  /** The task of running forward (+1) or backward (-1) (direction families). */
  public static Task direction(int d) {
    if (d != 1 && d != -1) {
      throw new IllegalArgumentException("direction must be 1 or -1, got " + d);
    }
    return new Task(Map.of(Goal.DIRECTION.param, d));
  }

  /** The task of reaching torso position (x, y) (ant-goal). */
  public static Task position(double x, double y) {
    return new Task(Map.of(Goal.POSITION.param, new double[] {x, y}));
  }

  /**
   * The task term of the reward after a step that moved the torso from x0 to (x1, y1) in dt
   * seconds; {@code target} holds the task's goal (velocity, direction or [x, y]).
   */
  double taskReward(double[] target, double x0, double x1, double y1, double dt) {
    return switch (goal) {
      case VELOCITY -> -Math.abs((x1 - x0) / dt - target[0]) + bonus;
      case DIRECTION -> target[0] * (x1 - x0) / dt + bonus;
      case POSITION -> -(Math.abs(x1 - target[0]) + Math.abs(y1 - target[1])) + bonus;
    };
  }

  /** Reads a task's goal into the array {@link #taskReward} expects, checking it. */
  double[] target(Task task) {
    double[] t = switch (goal) {
      case VELOCITY -> new double[] {task.number(goal.param)};
      case DIRECTION -> new double[] {task.number(goal.param)};
      case POSITION -> task.vector(goal.param);
    };
    if (goal == Goal.DIRECTION && t[0] != 1 && t[0] != -1) {
      throw new IllegalArgumentException(specName + " task direction must be 1 or -1, got " + t[0]);
    }
    if (goal == Goal.POSITION && t.length != 2) {
      throw new IllegalArgumentException(specName + " task goal must be [x, y], got " + t.length + " numbers");
    }
    for (double v : t) {
      if (!Double.isFinite(v)) {
        throw new IllegalArgumentException(specName + " task " + goal.param + " must be finite, got " + task.params());
      }
    }
    return t;
  }

  /** The registry factory: reads the spec's fields, then loads the model. */
  LocomotionTasks create(Fields spec) {
    LocomotionConfig config = LocomotionConfig.read(this, spec);
    MjModel model;
    try {
      model = MjModel.load(config.model());
    } catch (MjException e) {
      throw new ConfigException(spec.source() + ": " + e.getMessage(), e);
    }
    return new LocomotionTasks(this, model, config);
  }
}
