package io.maml4j.train;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * MAML-TRPO learns 2D navigation with the default config: a short run with thresholds. The
 * 100-iteration figures (post-adaptation about -15.5) are measured outside the suite; here 12
 * iterations must already take the post-adaptation return from about -130 to better than -32
 * and make one inner step worth at least +10 (seeds 1-6 reached -20 to -31 and +14 to +20).
 */
class NavigationLearningTest {
  @Test
  void twelveIterationsOfTheDefaultConfigLearnToAdapt() {
    Navigation2D nav = Navigation2D.standard();
    Policy policy = Policies.create(PolicySpec.defaultGaussian(), nav.observationSpace(), nav.actionSpace());
    TrainConfig cfg = TrainConfig.defaults().withRun(12, 1);
    Trainer t = new Trainer(nav, policy, cfg);
    List<IterationMetrics> seen = new ArrayList<>();
    t.run(t.initialParams(), 0, 0, List.of(new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics m, Params theta) {
        seen.add(m);
      }
    }));
    double first = seen.get(0).postReturn();
    double post = 0;
    double gain = 0;
    for (IterationMetrics m : seen.subList(9, 12)) {
      post += m.postReturn() / 3;
      gain += (m.postReturn() - m.preReturn()) / 3;
    }
    assertTrue(first < -100, "an untrained policy should score about -130, got " + first);
    assertTrue(post > -32, "post-adaptation return over iterations 10-12: " + post);
    assertTrue(gain > 10, "gain from one inner step over iterations 10-12: " + gain);
  }
}
