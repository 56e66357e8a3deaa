package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.baseline.Advantages;
import io.maml4j.baseline.LinearFeatureBaseline;
import io.maml4j.env.Task;
import io.maml4j.envs.Navigation2D;
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

/** MAML-TRPO with zero inner steps is plain TRPO on the task distribution: the pretrained baseline. */
class ZeroInnerStepsTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 6);
  private final Policy policy = Policies.create(
      new PolicySpec("gaussian-mlp", new int[] {5}, "tanh", 1.0, 1e-6), nav.observationSpace(), nav.actionSpace());

  @Test
  void when_zero_inner_steps_expect_trpo_on_the_shared_policy() {
    MamlConfig cfg = new MamlConfig(0.1, 0, false, 0.01, 10, 1e-5, 15, 0.8);
    MamlTrpo trpo = new MamlTrpo(policy, cfg);
    SplittableRandom rng = new SplittableRandom(4);
    Params theta = policy.init(rng, DataType.DOUBLE);
    List<Task> tasks = nav.sample(3, rng);
    Episodes ep = new VectorSampler(nav).sample(policy, theta, tasks, 4, rng);
    Batch b = Batch.of(ep, Advantages.compute(ep, 0.99, 1.0, new LinearFeatureBaseline(), true), DataType.DOUBLE);
    // No adaptation: every task's parameters are θ itself.
    Params adapted = trpo.innerLoop().adapted(theta, b);
    for (String n : theta.names()) {
      double[] t = theta.get(n).toDoubles();
      double[] a = adapted.get(n).toDoubles();
      for (int i = 0; i < a.length; i++) {
        assertEquals(t[i % t.length], a[i], 0);
      }
    }
    // The meta-gradient is the plain surrogate gradient at θ.
    Tensor old = policy.forward(theta, b.observations()).logProb(b.actions()).detach();
    java.util.List<TaskWork> works = new java.util.ArrayList<>();
    for (int i = 0; i < b.tasks(); i++) {
      works.add(trpo.onBatches(theta, b.task(i), b.task(i)));
    }
    Params g = theta.withFlat(MetaLearner.meanVector(TaskChannel.of(works).send(
        new TaskRequest(MamlTrpo.SETUP, theta.flat()))), DataType.DOUBLE);
    Params vars = theta.asVariables();
    List<Tensor> plain = Grad.grad(Losses.surrogate(policy.forward(vars, b.observations()), old, b), vars.list(), false);
    for (int i = 0; i < plain.size(); i++) {
      double[] x = plain.get(i).toDoubles();
      double[] y = g.list().get(i).toDoubles();
      for (int j = 0; j < x.length; j++) {
        assertEquals(x[j], y[j], 1e-12);
      }
    }
    MetaLearner.StepResult r = trpo.step(theta, b, b);
    assertTrue(r.accepted());
    assertTrue(r.lossAfter() < r.lossBefore());
    assertTrue(r.kl() <= cfg.maxKl());
  }
}
