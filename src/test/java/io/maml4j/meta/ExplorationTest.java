package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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

/** E-MAML's exploration term: its credits, its gradient, and its effect on the MAML-TRPO step. */
class ExplorationTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 6);
  private final Policy policy = Policies.create(
      new PolicySpec("gaussian-mlp", new int[] {6}, "tanh", 1.0, 1e-6), nav.observationSpace(), nav.actionSpace());

  private Batch batch(Episodes ep, LinearFeatureBaseline bl) {
    return Batch.of(ep, Advantages.compute(ep, 0.99, 1.0, bl, true),
        new Batch.Rewards(0.99, Advantages.values(ep, 0.99, bl)), DataType.DOUBLE);
  }

  @Test
  void when_credits_are_computed_expect_standardised_per_task_mean_rewards() {
    // Two tasks, one episode of two steps each (γ = 1 here: rewards as given), weights 1/2.
    Tensor w = Tensor.of(new double[] {0.5, 0.5, 0.5, 0.5}, DataType.DOUBLE, 2, 2, 1);
    Tensor r = Tensor.of(new double[] {1, 3, -1, -3}, DataType.DOUBLE, 2, 2, 1);
    Batch b = new Batch(r, r, r, w, new Batch.Episodic(r, r, w, 2), 2, 2);
    // Per-task means 2 and -2: standardised to 1 and -1.
    assertArrayEquals(new double[] {1, -1}, Exploration.credits(b), 1e-7);
    Batch plain = new Batch(r, r, r, w, 2);
    assertThrows(IllegalArgumentException.class, () -> Exploration.credits(plain));
  }

  @Test
  void when_differentiated_expect_the_score_of_the_pre_update_episodes_weighted_by_the_credits() {
    SplittableRandom rng = new SplittableRandom(4);
    Params theta = policy.init(rng, DataType.DOUBLE);
    List<Task> tasks = nav.sample(3, rng);
    Episodes ep = new VectorSampler(nav).sample(policy, theta, tasks, 3, rng);
    Batch train = batch(ep, new LinearFeatureBaseline());
    double[] c = {0.5, -1.5, 1.0};
    Params vars = theta.asVariables();
    Tensor old = policy.forward(theta, train.observations()).logProb(train.actions()).detach();
    Tensor term = Exploration.term(policy.forward(vars, train.observations()), old, train, c);
    assertEquals(-(0.5 - 1.5 + 1.0) / 3, term.item(), 1e-12);
    List<Tensor> g = Grad.grad(term, vars.list(), false);
    // The same gradient: REINFORCE with every step of task i given advantage c_i, over T.
    double[] adv = new double[(int) train.advantages().value().length()];
    for (int i = 0; i < adv.length; i++) {
      adv[i] = c[i / (adv.length / 3)];
    }
    Batch credited = new Batch(train.observations(), train.actions(),
        Tensor.of(adv, DataType.DOUBLE, train.advantages().shape()), train.weights(), 3);
    Params v2 = theta.asVariables();
    List<Tensor> expected = Grad.grad(Losses.reinforce(policy, v2, credited).scale(1.0 / 3), v2.list(), false);
    for (int i = 0; i < g.size(); i++) {
      double err = g.get(i).sub(expected.get(i)).square().sum().item();
      assertTrue(err < 1e-20, "gradient differs: " + err);
    }
  }

  @Test
  void when_exploring_expect_the_trpo_step_to_change_and_the_loss_at_theta_old_not_to() {
    SplittableRandom rng = new SplittableRandom(8);
    Params theta = policy.init(rng, DataType.DOUBLE);
    List<Task> tasks = nav.sample(3, rng);
    VectorSampler sampler = new VectorSampler(nav);
    LinearFeatureBaseline bl = new LinearFeatureBaseline();
    MamlConfig cfg = MamlConfig.defaults();
    MamlTrpo plain = new MamlTrpo(policy, cfg);
    MamlTrpo explore = new MamlTrpo(policy, cfg, TaskLoss.REINFORCE, true);
    Batch train = batch(sampler.sample(policy, theta, tasks, 4, rng), bl);
    Batch valid = batch(sampler.sample(policy, plain.innerLoop().adapted(theta, train), tasks, 4, rng), bl);
    MetaLearner.StepResult a = plain.step(theta, train, valid);
    MetaLearner.StepResult b = explore.step(theta, train, valid);
    // The credits sum to 0, so at θ_old the term adds nothing; its gradient changes the step.
    assertEquals(a.lossBefore(), b.lossBefore(), 1e-10);
    double diff = a.theta().zip(b.theta(), Tensor::sub).map(Tensor::square).list().stream()
        .mapToDouble(t -> t.sum().item()).sum();
    assertTrue(a.accepted() && b.accepted() && diff > 1e-12, "exploration left the step unchanged: " + diff);
  }

  @Test
  void when_tasks_answer_alone_expect_the_credits_and_step_of_the_whole_meta_batch() {
    // The credits are standardised over the meta-batch, yet each task's work sees only its own
    // batches: the returns the meta-step sends must give it the same credit, so the step of
    // tasks answered one by one equals the step of the tasks computed together.
    SplittableRandom rng = new SplittableRandom(9);
    Params theta = policy.init(rng, DataType.DOUBLE);
    List<Task> tasks = nav.sample(3, rng);
    VectorSampler sampler = new VectorSampler(nav);
    LinearFeatureBaseline bl = new LinearFeatureBaseline();
    MamlTrpo explore = new MamlTrpo(policy, MamlConfig.defaults(), TaskLoss.REINFORCE, true);
    Batch train = batch(sampler.sample(policy, theta, tasks, 4, rng), bl);
    Batch valid = batch(sampler.sample(policy, explore.innerLoop().adapted(theta, train), tasks, 4, rng), bl);
    double[] all = Exploration.returns(valid);
    double[] c = Exploration.credits(valid);
    for (int i = 0; i < 3; i++) {
      assertEquals(c[i], Exploration.credit(Exploration.returns(valid.task(i))[0], all), 0);
    }
    MetaLearner.StepResult together = explore.step(theta, train, valid);
    List<TaskWork> works = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      // Each task a group of its own, as a worker holding only that task computes it.
      works.addAll(explore.onBatchesTogether(theta, train.task(i), valid.task(i)));
    }
    MetaLearner.StepResult alone = explore.step(theta, TaskChannel.of(works));
    assertTrue(together.accepted());
    assertEquals(together.lossBefore(), alone.lossBefore(), 1e-12);
    double diff = together.theta().zip(alone.theta(), Tensor::sub).map(Tensor::square).list().stream()
        .mapToDouble(t -> t.sum().item()).sum();
    assertTrue(diff < 1e-20, "tasks answered alone step elsewhere: " + diff);
    // Without the returns after θ a setup has no credits to compute.
    try (TaskWork w = explore.onBatches(theta, train.task(0), valid.task(0))) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> w.handle(new TaskRequest(MamlTrpo.SETUP, theta.flat())));
      assertTrue(e.getMessage().contains("needs the tasks' returns"), e.getMessage());
    }
  }
}
