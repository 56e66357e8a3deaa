package io.maml4j.work;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.maml4j.baseline.Advantages;
import io.maml4j.baseline.LinearFeatureBaseline;
import io.maml4j.env.Task;
import io.maml4j.envs.Navigation2D;
import io.maml4j.meta.Batch;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.VectorSampler;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The RL data step with and without the episodes' time structure that DiCE and E-MAML need. */
class RolloutCollectorTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 5);
  private final Policy policy = Policies.create(new PolicySpec("gaussian-mlp", new int[] {4}, "tanh", 1.0, 1e-6),
      nav.observationSpace(), nav.actionSpace());

  private List<SplittableRandom> rngs(int n) {
    return List.of(new SplittableRandom(11), new SplittableRandom(12)).subList(0, n);
  }

  @Test
  void when_episodic_expect_the_discounted_rewards_and_baseline_values_of_the_same_episodes() {
    Params theta = policy.init(new SplittableRandom(1), DataType.DOUBLE).repeatPerTask(2).detach();
    List<Task> tasks = nav.sample(2, new SplittableRandom(2));
    Batch plain = new RolloutCollector(nav, 3, 0.9, 1.0, DataType.DOUBLE).collect(policy, theta, tasks, rngs(2))
        .batch();
    Batch episodic = new RolloutCollector(nav, 3, 0.9, 1.0, DataType.DOUBLE, true)
        .collect(policy, theta, tasks, rngs(2)).batch();
    assertNull(plain.episodic());
    assertNotNull(episodic.episodic());
    // The same streams give the same episodes: the option adds the time structure and nothing else.
    assertArrayEquals(plain.advantages().toDoubles(), episodic.advantages().toDoubles(), 0);
    Episodes ep = new VectorSampler(nav).sample(policy, theta, tasks, 3, rngs(2));
    LinearFeatureBaseline bl = new LinearFeatureBaseline();
    Batch expected = Batch.of(ep, Advantages.compute(ep, 0.9, 1.0, bl, true),
        new Batch.Rewards(0.9, Advantages.values(ep, 0.9, bl)), DataType.DOUBLE);
    assertArrayEquals(expected.episodic().discountedRewards().toDoubles(),
        episodic.episodic().discountedRewards().toDoubles(), 0);
    assertArrayEquals(expected.episodic().discountedValues().toDoubles(),
        episodic.episodic().discountedValues().toDoubles(), 0);
    // One task's slice, as a task's work sees it, keeps its own part of the structure.
    Batch second = episodic.task(1);
    assertNotNull(second.episodic());
    assertEquals(1, second.tasks());
    assertArrayEquals(episodic.episodic().discountedRewards().slice(1, 2).toDoubles(),
        second.episodic().discountedRewards().toDoubles(), 0);
  }
}
