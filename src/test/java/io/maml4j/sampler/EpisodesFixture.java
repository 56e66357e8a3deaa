package io.maml4j.sampler;

import io.maml4j.env.Task;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds {@link Episodes} from hand-written arrays, so that tests of the arithmetic on episodes
 * (returns, advantages, baselines) can work against numbers computed by hand rather than
 * against whatever a sampler happened to produce.
 */
public final class EpisodesFixture {
  private EpisodesFixture() {}

  /** {@code tasks} placeholder tasks, numbered by a parameter "id". */
  public static List<Task> tasks(int tasks) {
    List<Task> out = new ArrayList<>(tasks);
    for (int i = 0; i < tasks; i++) {
      out.add(new Task(Map.of("id", (double) i)));
    }
    return out;
  }

  /**
   * Episodes laid out as {@link Episodes} documents: [T][K][H][dim]; actions are zeros of
   * dimension 1.
   */
  public static Episodes of(int tasks, int perTask, int horizon, int obsDim, double[] observations,
      double[] rewards, int[] lengths, boolean[] truncated, double[] finalObservations) {
    int n = tasks * perTask;
    if (observations.length != n * horizon * obsDim || rewards.length != n * horizon || lengths.length != n
        || truncated.length != n || finalObservations.length != n * obsDim) {
      throw new IllegalArgumentException("fixture arrays do not match " + tasks + " x " + perTask + " x " + horizon);
    }
    return new Episodes(tasks(tasks), perTask, horizon, obsDim, 1, observations, new double[n * horizon], rewards,
        lengths, truncated, finalObservations);
  }
}
