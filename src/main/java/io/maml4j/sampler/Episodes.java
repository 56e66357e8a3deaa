package io.maml4j.sampler;

import io.maml4j.env.Task;
import java.util.List;

/**
 * K episodes for each of T tasks, padded to the horizon H. Arrays are row-major in
 * [task][episode][step][dim]; steps at or after an episode's length are padding (zeros).
 * Immutable once built: accessors return the backing arrays, which callers must not modify.
 */
public final class Episodes {
  private final List<Task> tasks;
  private final int perTask;
  private final int horizon;
  private final int obsDim;
  private final int actDim;
  private final double[] observations;
  private final double[] actions;
  private final double[] rewards;
  private final int[] lengths;
  private final boolean[] truncated;
  private final double[] finalObservations;

  Episodes(List<Task> tasks, int perTask, int horizon, int obsDim, int actDim, double[] observations,
      double[] actions, double[] rewards, int[] lengths, boolean[] truncated, double[] finalObservations) {
    this.tasks = List.copyOf(tasks);
    this.perTask = perTask;
    this.horizon = horizon;
    this.obsDim = obsDim;
    this.actDim = actDim;
    this.observations = observations;
    this.actions = actions;
    this.rewards = rewards;
    this.lengths = lengths;
    this.truncated = truncated;
    this.finalObservations = finalObservations;
  }

  public List<Task> tasks() {
    return tasks;
  }

  public int numTasks() {
    return tasks.size();
  }

  public int perTask() {
    return perTask;
  }

  public int horizon() {
    return horizon;
  }

  public int obsDim() {
    return obsDim;
  }

  public int actDim() {
    return actDim;
  }

  /** Observation o_t before each action: [T][K][H][obsDim]. */
  public double[] observations() {
    return observations;
  }

  /** Actions: [T][K][H][actDim]. */
  public double[] actions() {
    return actions;
  }

  /** Rewards: [T][K][H]. */
  public double[] rewards() {
    return rewards;
  }

  /** Episode lengths: [T][K]. */
  public int[] lengths() {
    return lengths;
  }

  /**
   * Whether the environment cut each episode by its own time limit, before the task's horizon,
   * so that its final state still has value: [T][K]. False for terminal states and for episodes
   * that reached the horizon H, which ends the task.
   */
  public boolean[] truncated() {
    return truncated;
  }

  /** Observation after each episode's last step: [T][K][obsDim]. */
  public double[] finalObservations() {
    return finalObservations;
  }

  /** Total number of environment steps taken. */
  public long steps() {
    long n = 0;
    for (int l : lengths) {
      n += l;
    }
    return n;
  }

  /** Undiscounted return of each episode: [T][K]. */
  public double[] episodeReturns() {
    double[] out = new double[lengths.length];
    for (int e = 0; e < lengths.length; e++) {
      double s = 0;
      for (int h = 0; h < lengths[e]; h++) {
        s += rewards[e * horizon + h];
      }
      out[e] = s;
    }
    return out;
  }

  /** Mean undiscounted episode return of each task: [T]. */
  public double[] taskReturns() {
    double[] er = episodeReturns();
    double[] out = new double[tasks.size()];
    for (int t = 0; t < out.length; t++) {
      double s = 0;
      for (int k = 0; k < perTask; k++) {
        s += er[t * perTask + k];
      }
      out[t] = s / perTask;
    }
    return out;
  }

  /** Mean undiscounted episode return over all tasks and episodes. */
  public double meanReturn() {
    double s = 0;
    for (double r : episodeReturns()) {
      s += r;
    }
    return s / lengths.length;
  }
}
