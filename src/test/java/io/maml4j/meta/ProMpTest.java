package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Tensor;
import io.maml4j.baseline.Advantages;
import io.maml4j.baseline.LinearFeatureBaseline;
import io.maml4j.env.Task;
import io.maml4j.envs.Navigation2D;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.VectorSampler;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;

/** ProMP's meta-step: several Adam steps on one meta-batch's samples, and its adaptive η. */
class ProMpTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 6);
  private final Policy policy = Policies.create(
      new PolicySpec("gaussian-mlp", new int[] {8}, "tanh", 1.0, 1e-6), nav.observationSpace(), nav.actionSpace());

  private record Fixture(Params theta, Batch train, Batch valid) {}

  private Fixture fixture(ProMp learner, long seed) {
    return fixture(learner, seed, DataType.DOUBLE);
  }

  private Fixture fixture(ProMp learner, long seed, DataType type) {
    SplittableRandom rng = new SplittableRandom(seed);
    Params theta = policy.init(rng, type);
    List<Task> tasks = nav.sample(3, rng);
    VectorSampler sampler = new VectorSampler(nav);
    LinearFeatureBaseline bl = new LinearFeatureBaseline();
    Episodes tr = sampler.sample(policy, theta, tasks, 4, rng);
    Batch train = Batch.of(tr, Advantages.compute(tr, 0.99, 1.0, bl, true), rewards(tr, bl), type);
    Episodes va = sampler.sample(policy, learner.innerLoop().adapted(theta, train), tasks, 4, rng);
    return new Fixture(theta, train, Batch.of(va, Advantages.compute(va, 0.99, 1.0, bl, true), rewards(va, bl), type));
  }

  private static Batch.Rewards rewards(Episodes ep, LinearFeatureBaseline bl) {
    return new Batch.Rewards(0.99, Advantages.values(ep, 0.99, bl));
  }

  /** SETUP at θ, GRAD at θ and at a moved θ, KL at the moved θ: every reply of every task. */
  private static List<TaskReply> answers(List<TaskWork> works, Params theta) {
    double[] t = theta.flat();
    double[] moved = t.clone();
    for (int j = 0; j < moved.length; j++) {
      moved[j] += 0.01 * Math.sin(j);
    }
    List<TaskRequest> requests = List.of(new TaskRequest(ProMp.SETUP, t),
        new TaskRequest(ProMp.GRAD, withEta(t, 5e-4)), new TaskRequest(ProMp.GRAD, withEta(moved, 2e-3)),
        new TaskRequest(ProMp.KL, moved));
    List<TaskReply> out = new java.util.ArrayList<>();
    for (TaskRequest r : requests) {
      for (TaskWork w : works) {
        out.add(w.handle(r));
      }
    }
    return out;
  }

  private static double[] withEta(double[] t, double eta) {
    double[] v = java.util.Arrays.copyOf(t, t.length + 1);
    v[t.length] = eta;
    return v;
  }

  @ParameterizedTest
  @CsvSource({"lvc, FLOAT", "lvc, DOUBLE", "dice, FLOAT"})
  void when_tasks_are_answered_together_expect_each_task_the_replies_it_gives_alone_bit_for_bit(String estimator,
      DataType type) {
    // A worker holding several tasks answers them in batched operations; each task's replies
    // must not depend on which others share its batch (the thread count changes the groups).
    ProMp learner = new ProMp(policy, ProMpConfig.defaults(), estimator, 0.1, 1, new Adam(0.01));
    assertTrue(learner.batchesTasks());
    Fixture f = fixture(learner, 5, type);
    List<TaskWork> together = learner.onBatchesTogether(f.theta, f.train, f.valid);
    List<TaskWork> alone = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      alone.add(learner.onBatches(f.theta, f.train.task(i), f.valid.task(i)));
    }
    List<TaskReply> a = answers(alone, f.theta);
    List<TaskReply> b = answers(together, f.theta);
    assertEquals(a.size(), b.size());
    for (int n = 0; n < a.size(); n++) {
      String what = "request " + n / 3 + ", task " + n % 3;
      assertArrayEquals(a.get(n).values(), b.get(n).values(), 0, what);
      assertArrayEquals(a.get(n).vector(), b.get(n).vector(), 0, what);
    }
    // The gradient replies carry a gradient, not zeros.
    assertTrue(java.util.Arrays.stream(b.get(3).vector()).anyMatch(x -> x != 0));
  }

  @Test
  void when_several_steps_are_taken_on_one_batch_expect_the_objective_to_fall_and_theta_to_move() {
    ProMp learner = new ProMp(policy, new ProMpConfig(5, 0.3, 5e-4, 0), "lvc", 0.1, 1, new Adam(0.01));
    Fixture f = fixture(learner, 1);
    MetaLearner.StepResult r = learner.step(f.theta, f.train, f.valid);
    assertTrue(r.lossAfter() < r.lossBefore(), r.lossBefore() + " -> " + r.lossAfter());
    assertEquals(5, r.lineSearchSteps());
    assertEquals(5, learner.optimizer().steps());
    assertTrue(r.kl() > 0, "pre-update policy did not move: KL " + r.kl());
    double moved = r.theta().zip(f.theta, Tensor::sub).map(Tensor::square).list().stream()
        .mapToDouble(t -> t.sum().item()).sum();
    assertTrue(moved > 0);
    // The objective at θ_old is the mean weighted advantage of the post-update batch.
    assertEquals(-f.valid.advantages().mul(f.valid.weights()).sum().item() / f.valid.totalTasks(), r.lossBefore(),
        1e-12);
  }

  @Test
  void when_kl_target_is_set_expect_eta_to_halve_or_double_after_the_step() {
    // A tiny step leaves the KL far below any target: η halves. A huge one passes it: η doubles.
    ProMp small = new ProMp(policy, new ProMpConfig(1, 0.3, 1e-3, 0.01), "lvc", 0.1, 1, new Adam(1e-6));
    Fixture f = fixture(small, 2);
    MetaLearner.StepResult r = small.step(f.theta, f.train, f.valid);
    assertTrue(r.kl() < 0.01 / 1.5, "KL " + r.kl());
    assertEquals(5e-4, small.klCoeff(), 1e-18);
    ProMp large = new ProMp(policy, new ProMpConfig(3, 0.3, 1e-3, 1e-6), "lvc", 0.1, 1, new Adam(0.05));
    r = large.step(f.theta, f.train, f.valid);
    assertTrue(r.kl() > 1.5e-6, "KL " + r.kl());
    assertEquals(2e-3, large.klCoeff(), 1e-18);
    ProMp fixed = new ProMp(policy, new ProMpConfig(3, 0.3, 1e-3, 0), "lvc", 0.1, 1, new Adam(0.05));
    fixed.step(f.theta, f.train, f.valid);
    assertEquals(1e-3, fixed.klCoeff(), 0);
  }

  @Test
  void when_tasks_answer_on_their_own_expect_the_steps_of_the_whole_batch_objective() {
    // The per-task works and the task-order mean replace the old whole-batch objective: the same
    // Adam steps on ProMpObjective over all three tasks at once give the same θ.
    ProMp learner = new ProMp(policy, ProMpConfig.defaults(), "lvc", 0.1, 1, new Adam(0.01));
    Fixture f = fixture(learner, 3);
    MetaLearner.StepResult a = learner.step(f.theta, f.train, f.valid);
    ProMpObjective.Samples s = learner.objective().samples(f.theta, f.train, f.valid);
    Adam adam = new Adam(0.01);
    Params current = f.theta;
    double first = Double.NaN;
    for (int k = 0; k < 5; k++) {
      ProMpObjective.Result r = learner.objective().evaluate(current, s, 5e-4);
      first = k == 0 ? r.loss() : first;
      current = adam.step(current, r.grad());
    }
    assertEquals(first, a.lossBefore(), 1e-12);
    Params end = current;
    double diff = a.theta().zip(end, Tensor::sub).map(Tensor::square).list().stream()
        .mapToDouble(t -> t.sum().item()).sum();
    assertTrue(diff < 1e-20, "per-task step differs from the whole-batch one: " + diff);
  }

  @Test
  void when_asked_out_of_order_or_for_an_unknown_operation_expect_a_clear_error() {
    ProMp learner = new ProMp(policy, ProMpConfig.defaults(), "lvc", 0.1, 1, new Adam(0.01));
    Fixture f = fixture(learner, 4);
    try (TaskWork w = learner.onBatches(f.theta, f.train.task(0), f.valid.task(0))) {
      double[] t = f.theta.flat();
      IllegalStateException e = assertThrows(IllegalStateException.class,
          () -> w.handle(new TaskRequest(ProMp.KL, t)));
      assertEquals("promp.kl before promp.setup", e.getMessage());
      w.handle(new TaskRequest(ProMp.SETUP, t));
      IllegalArgumentException u = assertThrows(IllegalArgumentException.class,
          () -> w.handle(new TaskRequest("trpo.setup", t)));
      assertEquals("ProMP has no task request 'trpo.setup'", u.getMessage());
    }
  }
}
