package io.maml4j.eval;

import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.VectorSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The trajectories of a policy before adaptation and after each fine-tuning step, as in the
 * MAML paper's 2D navigation figure (Finn et al. 2017, Figure 4, right): one episode per task
 * and stage, acting with the mean action, recorded as the first two observation coordinates.
 */
public final class Paths {
  private Paths() {}

  /**
   * Rolls out every stage of a fine-tuning result.
   *
   * @param stepParams per-task parameters after 0, 1, ... steps, as {@link Evaluator.Result} holds
   * @return [stage][task] the visited points, start and end included, each {x, y}
   */
  public static double[][][][] rollOut(TaskDistribution dist, Policy policy, List<Params> stepParams,
      List<Task> tasks) {
    if (policy.observationSpace().flatSize() < 2) {
      throw new IllegalArgumentException("paths need at least 2 observation coordinates, got "
          + policy.observationSpace().flatSize());
    }
    VectorSampler mode = new VectorSampler(dist, true);
    double[][][][] out = new double[stepParams.size()][][][];
    for (int s = 0; s < stepParams.size(); s++) {
      Episodes ep = mode.sample(policy, stepParams.get(s), tasks, 1, new SplittableRandom(s));
      out[s] = new double[tasks.size()][][];
      int h = ep.horizon();
      int od = ep.obsDim();
      for (int t = 0; t < tasks.size(); t++) {
        List<double[]> pts = new ArrayList<>();
        int len = ep.lengths()[t];
        for (int i = 0; i < len; i++) {
          int o = (t * h + i) * od;
          pts.add(new double[] {ep.observations()[o], ep.observations()[o + 1]});
        }
        pts.add(new double[] {ep.finalObservations()[t * od], ep.finalObservations()[t * od + 1]});
        out[s][t] = pts.toArray(double[][]::new);
      }
    }
    return out;
  }
}
