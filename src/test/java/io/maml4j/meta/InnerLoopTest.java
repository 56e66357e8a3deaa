package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Arena;
import io.maml4j.baseline.Advantages;
import io.maml4j.baseline.LinearFeatureBaseline;
import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.VectorSampler;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The values-only adaptation that learners with structured derivatives are handed. */
class InnerLoopTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 6);
  private final Policy policy = Policies.create(
      new PolicySpec("gaussian-mlp", new int[] {16, 16}, "tanh", 1.0, 1e-6), nav.observationSpace(), nav.actionSpace());

  /** Four episodes on each of three navigation tasks sampled with {@code theta}, as a batch. */
  private Batch batch(Params theta, SplittableRandom rng) {
    Episodes ep = new VectorSampler(nav).sample(policy, theta, nav.sample(3, rng), 4, rng);
    return Batch.of(ep, Advantages.compute(ep, 0.99, 1.0, new LinearFeatureBaseline(), true), DataType.FLOAT);
  }

  @Test
  void when_adapting_values_only_expect_the_unrecorded_adaptation_bit_for_bit_and_no_passes_kept() {
    SplittableRandom rng = new SplittableRandom(4);
    Params theta = policy.init(rng, DataType.FLOAT);
    Batch train = batch(theta, rng);
    for (int steps : new int[] {0, 1, 2}) {
      InnerLoop loop = new InnerLoop(policy, TaskLoss.REINFORCE, new double[] {0.5, 0.25}, steps);
      try (Arena outer = Arena.open()) {
        Params start = theta.repeatPerTask(3).detach().asVariables();
        Adaptation full = loop.adapt(start, train, false);
        int before = outer.size();
        Adaptation values = loop.adaptValues(start, train);
        // θ', then per step its input (the first is the caller's, not copied) and its gradient.
        int tensors = theta.names().size();
        int copied = (steps == 0 ? 0 : tensors) + Math.max(0, steps - 1) * tensors + steps * tensors;
        assertEquals(copied, outer.size() - before, steps + " steps: arrays the outer arena gained");
        assertArrayEquals(full.params().flat(), values.params().flat(), steps + " steps: θ'");
        assertEquals(steps, values.stepInputs().size());
        for (int s = 0; s < steps; s++) {
          assertArrayEquals(full.stepInputs().get(s).flat(), values.stepInputs().get(s).flat());
          assertArrayEquals(full.stepGrads().get(s).flat(), values.stepGrads().get(s).flat());
        }
        values.params().list().forEach(t -> assertTrue(!t.requiresGrad(), "values only"));
      }
    }
  }

  /**
   * Recording the graph changes no value: MAML with Adam samples post-adaptation episodes with
   * θ' of its values-only adaptation, which must be the θ' that recording the graph gives.
   */
  @Test
  void when_recording_the_graph_expect_the_same_adapted_values_bit_for_bit() {
    SplittableRandom rng = new SplittableRandom(5);
    Params theta = policy.init(rng, DataType.FLOAT);
    Batch train = batch(theta, rng);
    for (String estimator : new String[] {"reinforce", "lvc"}) {
      InnerLoop loop = new InnerLoop(policy, TaskLoss.named(estimator), new double[] {0.5, 0.25}, 2);
      try (Arena outer = Arena.open()) {
        Params start = theta.repeatPerTask(3).detach().asVariables();
        Adaptation graph = loop.adapt(start, train, true);
        Adaptation values = loop.adaptValues(start, train);
        assertArrayEquals(graph.params().flat(), values.params().flat(), estimator + ": θ'");
      }
    }
  }
}
