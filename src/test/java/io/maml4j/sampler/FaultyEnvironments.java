package io.maml4j.sampler;

import io.maml4j.env.Box;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small point-mass task distribution (observation Box[2], action Box[2], reward -|x - goal|)
 * whose environments break the contract in one chosen way at one chosen step: what a user's
 * plug-in can get wrong.
 */
public final class FaultyEnvironments implements TaskDistribution {
  public enum Fault { NONE, NAN_REWARD, INFINITE_REWARD, NAN_OBSERVATION, SHORT_OBSERVATION, LONG_OBSERVATION,
    NULL_OBSERVATION, OTHER_ACTION_SPACE, OTHER_OBSERVATION_SPACE,
    /** Terminates at the fault step and refuses further steps: a correct environment. */
    ENDS,
    /** Terminates at the fault step but keeps accepting steps. */
    ENDS_BUT_ACCEPTS_MORE,
    /** Each reset starts from a different place, whatever the seed. */
    NONDETERMINISTIC_RESET,
    /** Its tasks carry a parameter 'friction' that the environment never reads. */
    IGNORED_PARAMETER }

  private static final java.util.concurrent.atomic.AtomicInteger RESETS = new java.util.concurrent.atomic.AtomicInteger();

  static final Box OBSERVATIONS = Box.of(2, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
  static final Box ACTIONS = Box.of(2, -0.1, 0.1);

  /** Offers {@code test-faulty} (fields {@code fault}, {@code step}; horizon 5) through ServiceLoader, as a plug-in would. */
  public static final class Provider implements io.maml4j.envs.EnvRegistry.Provider {
    @Override
    public Map<String, io.maml4j.envs.EnvRegistry.Factory> environments() {
      return Map.of("test-faulty", f -> {
        Fault fault = Fault.valueOf(f.string("fault").toUpperCase(java.util.Locale.ROOT));
        int step = f.integer("step", 1, 0, 1000);
        f.finish();
        return new FaultyEnvironments(fault, step, 5);
      });
    }
  }

  private final Fault fault;
  private final int faultStep;
  private final int horizon;

  /** @param faultStep 0 faults at reset, t >= 1 at the t-th step (of every episode) */
  public FaultyEnvironments(Fault fault, int faultStep, int horizon) {
    this.fault = fault;
    this.faultStep = faultStep;
    this.horizon = horizon;
  }

  @Override
  public String name() {
    return "faulty-" + fault.name().toLowerCase(java.util.Locale.ROOT);
  }

  @Override
  public Task sample(SplittableRandom rng) {
    double[] goal = {rng.nextDouble(-0.5, 0.5), rng.nextDouble(-0.5, 0.5)};
    if (fault == Fault.IGNORED_PARAMETER) {
      return new Task(Map.of("goal", goal, "friction", rng.nextDouble(0.5, 1.5)));
    }
    return new Task(Map.of("goal", goal));
  }

  @Override
  public Environment make(Task task) {
    double[] goal = task.vector("goal");
    return new Environment() {
      private final double[] x = new double[2];
      private int t;
      private boolean over;

      @Override
      public Space observationSpace() {
        return fault == Fault.OTHER_OBSERVATION_SPACE ? Box.of(3, -1, 1) : OBSERVATIONS;
      }

      @Override
      public Space actionSpace() {
        return fault == Fault.OTHER_ACTION_SPACE ? Box.of(2, -1, 1) : ACTIONS;
      }

      @Override
      public double[] reset(long seed) {
        t = 0;
        over = false;
        x[0] = fault == Fault.NONDETERMINISTIC_RESET ? 0.001 * RESETS.incrementAndGet() : 0;
        x[1] = 0;
        return observe();
      }

      @Override
      public StepResult step(double[] action) {
        if (over && fault == Fault.ENDS) {
          throw new IllegalStateException("episode is over; call reset first");
        }
        t++;
        x[0] += Math.max(-0.1, Math.min(0.1, action[0]));
        x[1] += Math.max(-0.1, Math.min(0.1, action[1]));
        double reward = -Math.hypot(x[0] - goal[0], x[1] - goal[1]);
        if (t == faultStep && fault == Fault.NAN_REWARD) {
          reward = Double.NaN;
        } else if (t == faultStep && fault == Fault.INFINITE_REWARD) {
          reward = Double.NEGATIVE_INFINITY;
        }
        boolean ends = t == faultStep && (fault == Fault.ENDS || fault == Fault.ENDS_BUT_ACCEPTS_MORE);
        over |= ends;
        return new StepResult(observe(), reward, ends, false);
      }

      private double[] observe() {
        if (t != faultStep) {
          return x.clone();
        }
        return switch (fault) {
          case NAN_OBSERVATION -> new double[] {x[0], Double.NaN};
          case SHORT_OBSERVATION -> new double[] {x[0]};
          case LONG_OBSERVATION -> new double[] {x[0], x[1], 0.0};
          case NULL_OBSERVATION -> null;
          default -> x.clone();
        };
      }
    };
  }

  @Override
  public Space observationSpace() {
    return OBSERVATIONS;
  }

  @Override
  public Space actionSpace() {
    return ACTIONS;
  }

  @Override
  public int horizon() {
    return horizon;
  }
}
