package io.maml4j.env;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** The distribution over tasks p(T) that MAML meta-trains on. */
public interface TaskDistribution {
  /** A short name, as used in environment specs. */
  String name();

  /** Draws one task. */
  Task sample(SplittableRandom rng);

  /** Draws {@code n} independent tasks. */
  default List<Task> sample(int n, SplittableRandom rng) {
    List<Task> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(sample(rng));
    }
    return out;
  }

  /** Makes a fresh environment for a task; environments never share mutable state. */
  Environment make(Task task);

  /**
   * Makes one environment per task, to be stepped together by the sampler. The default makes them
   * with {@link #make} and checks that each declares this distribution's spaces.
   */
  default VectorEnvironment makeVector(List<Task> tasks) {
    List<Environment> envs = new ArrayList<>(tasks.size());
    try {
      for (Task t : tasks) {
        Environment env = make(t);
        envs.add(env);
        EnvironmentChecks.spaces(name(), t, observationSpace(), actionSpace(), env.observationSpace(),
            env.actionSpace());
      }
    } catch (RuntimeException e) {
      envs.forEach(Environment::close);
      throw e;
    }
    return VectorEnvironment.of(envs);
  }

  Space observationSpace();

  Space actionSpace();

  /** The horizon H: episodes are cut after this many steps. */
  int horizon();

  /**
   * The values each numeric task parameter may take, by name: the ranges {@link #sample} draws
   * from (or, where it draws from an unbounded law, the values {@link #make} accepts). Used to
   * refuse a task given from outside, such as a Gym server's create kwargs. Parameters not listed
   * are unchecked here; the default lists none.
   */
  default Map<String, ParamRange> paramRanges() {
    return Map.of();
  }

  /**
   * The allowed values of one numeric task parameter: a number ({@code length} 0) or a list of
   * exactly {@code length} numbers, each in [low, high] (bounds may be infinite; values never).
   */
  record ParamRange(double low, double high, int length) {
    public ParamRange {
      if (Double.isNaN(low) || Double.isNaN(high) || low > high) {
        throw new IllegalArgumentException("a parameter range needs low <= high, got [" + low + ", " + high + "]");
      }
      if (length < 0) {
        throw new IllegalArgumentException("a parameter range's length must be at least 0, got " + length);
      }
    }

    /** A number in [low, high]. */
    public static ParamRange scalar(double low, double high) {
      return new ParamRange(low, high, 0);
    }

    /** A list of {@code length} numbers, each in [low, high]. */
    public static ParamRange vector(int length, double low, double high) {
      return new ParamRange(low, high, length);
    }

    /** Whether a task parameter's value (a number, or a list of numbers) lies in this range. */
    public boolean admits(Object value) {
      if (length == 0) {
        return value instanceof Number n && within(n);
      }
      return value instanceof List<?> l && l.size() == length && l.stream().allMatch(x -> x instanceof Number n && within(n));
    }

    private boolean within(Number n) {
      double x = n.doubleValue();
      return Double.isFinite(x) && x >= low && x <= high;
    }

    /** What {@link #admits} accepts, in words: "a number in [0.0, 1.0]", "a list of 2 finite numbers". */
    public String expected() {
      if (Double.isInfinite(low) && Double.isInfinite(high)) {
        return length == 0 ? "a finite number" : "a list of " + length + " finite numbers";
      }
      String bounds = " in [" + low + ", " + high + "]";
      return length == 0 ? "a number" + bounds : "a list of " + length + " numbers" + bounds;
    }
  }
}
