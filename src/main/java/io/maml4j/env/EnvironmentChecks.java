package io.maml4j.env;

import java.util.Arrays;

/**
 * The environment contract checked at the boundary where maml4j receives what an environment
 * returns: spaces equal to the distribution's, observations of the declared size and finite,
 * rewards finite. The sampler runs these on every reset and step, so that a faulty user
 * environment fails at the step that produced the fault instead of much later inside a baseline
 * fit or an array copy; an up-front environment checker can run the same checks.
 *
 * <p>Every failure is an {@link EnvironmentException} whose message starts with the {@link Site}.
 */
public final class EnvironmentChecks {
  private EnvironmentChecks() {}

  /**
   * Where a value came from: the distribution's name, the task, the episode of that task (0-based)
   * and the step, 0 for what {@code reset} returned and t &gt;= 1 for the t-th step.
   */
  public record Site(String environment, Task task, int episode, int step) {
    public Site {
      if (episode < 0 || step < 0) {
        throw new IllegalArgumentException("episode and step must be >= 0, got " + episode + " and " + step);
      }
    }

    /** The same episode at another step. */
    public Site at(int t) {
      return new Site(environment, task, episode, t);
    }

    @Override
    public String toString() {
      return "environment '" + environment + "', task " + task.params() + ", episode " + episode + ", "
          + (step == 0 ? "reset" : "step " + step);
    }
  }

  /**
   * Checks that an environment made for {@code task} declares the spaces of its distribution.
   *
   * @param expectedObservation the distribution's observation space
   * @param expectedAction the distribution's action space
   */
  public static void spaces(String environment, Task task, Space expectedObservation, Space expectedAction,
      Space observation, Space action) {
    if (!expectedObservation.equals(observation)) {
      throw new EnvironmentException("environment '" + environment + "', task " + task.params()
          + ": observation space is " + describe(observation) + ", expected the distribution's "
          + describe(expectedObservation));
    }
    if (!expectedAction.equals(action)) {
      throw new EnvironmentException("environment '" + environment + "', task " + task.params()
          + ": action space is " + describe(action) + ", expected the distribution's " + describe(expectedAction));
    }
  }

  /** Checks that an observation exists, has the space's flat size and is finite. */
  public static void observation(Site site, Space space, double[] observation) {
    vector(site, "observation", space, observation);
  }

  /** Checks a supervised task's target for an input: the action space's flat size, finite. */
  public static void target(Site site, Space space, double[] target) {
    vector(site, "target", space, target);
  }

  private static void vector(Site site, String what, Space space, double[] v) {
    if (v == null) {
      throw new EnvironmentException(site + ": " + what + " is null, expected " + space.flatSize()
          + " numbers for " + describe(space));
    }
    if (v.length != space.flatSize()) {
      throw new EnvironmentException(site + ": " + what + " has " + v.length + " elements, expected "
          + space.flatSize() + " for " + describe(space));
    }
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw new EnvironmentException(site + ": " + what + "[" + i + "] is " + v[i] + ", expected a finite number");
      }
    }
  }

  /** Checks that a step returned a result at all (a vectorised back end may drop one). */
  public static StepResult result(Site site, StepResult result) {
    if (result == null) {
      throw new EnvironmentException(site + ": step returned no result");
    }
    return result;
  }

  /** Checks that a reward is finite. */
  public static void reward(Site site, double reward) {
    if (!Double.isFinite(reward)) {
      throw new EnvironmentException(site + ": reward is " + reward + ", expected a finite number");
    }
  }

  /** A space with its bounds, since two boxes of one shape can differ only there. */
  public static String describe(Space space) {
    if (space instanceof Box b) {
      double[] lo = b.low();
      double[] hi = b.high();
      boolean uniform = Arrays.stream(lo).allMatch(v -> v == lo[0]) && Arrays.stream(hi).allMatch(v -> v == hi[0]);
      return b + (uniform ? " in [" + lo[0] + ", " + hi[0] + "]" : " in " + Arrays.toString(lo) + " .. " + Arrays.toString(hi));
    }
    return "Discrete(" + ((Discrete) space).n() + ")";
  }
}
