package io.maml4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** ProMP training batches a worker's tasks; the thread count (the groups) must change no number. */
class ProMpTrainingTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 10);
  private final Policy policy = Policies.create(new PolicySpec("gaussian-mlp", new int[] {16, 16}, "tanh", 1.0, 1e-6),
      nav.observationSpace(), nav.actionSpace());

  private TrainConfig config(String estimator) {
    return TrainConfig.defaults().toBuilder().metaBatchSize(4).fastBatchSize(3).numBatches(3).seed(2)
        .metaOptimizer("promp").metaLr(0.01).innerEstimator(estimator).build();
  }

  /** Every iteration's metrics but the wall times; the final θ goes into {@code out}. */
  private List<String> run(TrainConfig cfg, int threads, List<double[]> out) {
    Trainer t = new Trainer(nav, policy, cfg, Trainer.metaLearner(policy, cfg), Trainer.local(threads));
    List<String> lines = new ArrayList<>();
    out.add(t.run(t.initialParams(), 0, 0, List.of(new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics m, Params theta) {
        var o = m.toJson();
        o.remove("time_sampling");
        o.remove("time_adaptation");
        o.remove("time_meta_step");
        lines.add(o.toString());
      }
    })).flat());
    return lines;
  }

  @Test
  void when_threads_differ_expect_the_same_promp_metrics_and_parameters_bit_for_bit() {
    // 1, 2 and 3 threads over 4 tasks: one group of four, two of two, and groups of 2, 1 and 1.
    for (String estimator : new String[] {"lvc", "dice"}) {
      List<double[]> theta = new ArrayList<>();
      List<String> one = run(config(estimator), 1, theta);
      assertEquals(3, one.size());
      for (int threads : new int[] {2, 3}) {
        assertEquals(one, run(config(estimator), threads, theta), estimator + ", " + threads + " threads");
        assertArrayEquals(theta.get(0), theta.get(theta.size() - 1), 0, estimator + ", " + threads + " threads");
      }
      double moved = 0;
      double[] start = new Trainer(nav, policy, config(estimator)).initialParams().flat();
      for (int j = 0; j < start.length; j++) {
        moved = Math.max(moved, Math.abs(theta.get(0)[j] - start[j]));
      }
      assertTrue(moved > 0, estimator + ": θ did not move");
    }
  }
}
