package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Task;
import io.maml4j.envs.Sinusoid;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.ExampleSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** MAML with Adam on the sinusoid regression loss, checked in float64. */
class MamlAdamTest {
  private final Sinusoid sinusoid = Sinusoid.standard();
  private final Policy model = Policies.create(
      new PolicySpec("deterministic-mlp", new int[] {6, 5}, "relu", 1.0, 1e-6),
      sinusoid.observationSpace(), sinusoid.actionSpace());

  private record Fixture(Params theta, Batch train, Batch valid) {}

  private Fixture fixture(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Params theta = model.init(rng, DataType.DOUBLE);
    // Non-zero biases, so no ReLU sits exactly at its kink.
    theta = theta.map(t -> Tensor.variable(t.value().add(GradCheckRandom.uniform(rng, t.shape(), 0.3))));
    List<Task> tasks = sinusoid.sample(3, rng);
    ExampleSampler ex = new ExampleSampler(sinusoid);
    Batch train = Batch.supervised(ex.sample(tasks, 5, rng), DataType.DOUBLE);
    Batch valid = Batch.supervised(ex.sample(tasks, 5, rng), DataType.DOUBLE);
    return new Fixture(theta, train, valid);
  }

  private static double relErr(double a, double b) {
    return Math.abs(a - b) / Math.max(1e-3, Math.max(Math.abs(a), Math.abs(b)));
  }

  /** The replies of every task's work to the setup at θ: what the meta-step reduces. */
  private static List<TaskReply> setup(MamlAdam maml, Fixture f, double[] theta) {
    List<TaskWork> works = new ArrayList<>();
    for (int i = 0; i < f.train.tasks(); i++) {
      works.add(maml.onBatches(f.theta, f.train.task(i), f.valid.task(i)));
    }
    return TaskChannel.of(works).send(new TaskRequest(MamlAdam.SETUP, theta));
  }

  private static double[] metaGradient(MamlAdam maml, Fixture f) {
    return MetaLearner.meanVector(setup(maml, f, f.theta.flat()));
  }

  private static double worstAgainstFiniteDifferences(MamlAdam maml, Fixture f) {
    double[] g = metaGradient(maml, f);
    double[] x = f.theta.flat();
    double worst = 0;
    double h = 1e-6;
    for (int j = 0; j < x.length; j++) {
      double x0 = x[j];
      x[j] = x0 + h;
      double fp = MetaLearner.mean(setup(maml, f, x), 0);
      x[j] = x0 - h;
      double fm = MetaLearner.mean(setup(maml, f, x), 0);
      x[j] = x0;
      worst = Math.max(worst, relErr((fp - fm) / (2 * h), g[j]));
    }
    return worst;
  }

  private static MamlAdam adam(Policy model, double lr, int steps, boolean firstOrder, double metaLr) {
    return new MamlAdam(new InnerLoop(model, TaskLoss.MSE, lr, steps), TaskLoss.MSE, firstOrder, new Adam(metaLr));
  }

  @Test
  void when_differentiating_through_the_inner_steps_expect_central_finite_differences() {
    for (int steps : new int[] {1, 2}) {
      // A large α makes the second-order term matter.
      MamlAdam maml = adam(model, 0.05, steps, false, 0.001);
      double worst = worstAgainstFiniteDifferences(maml, fixture(30 + steps));
      assertTrue(worst <= 1e-6, steps + " inner steps: worst relative error " + worst);
    }
  }

  @Test
  void when_first_order_expect_a_different_gradient_that_also_matches_its_objective() {
    Fixture f = fixture(40);
    MamlAdam second = adam(model, 0.05, 1, false, 0.001);
    MamlAdam first = adam(model, 0.05, 1, true, 0.001);
    Params g2 = f.theta.withFlat(metaGradient(second, f), DataType.DOUBLE);
    Params g1 = f.theta.withFlat(metaGradient(first, f), DataType.DOUBLE);
    double diff = g2.zip(g1, Tensor::sub).dot(g2.zip(g1, Tensor::sub)).item();
    assertTrue(Math.sqrt(diff / g2.dot(g2).item()) > 1e-3, "first-order equals second-order");
    // First order: the mean over tasks of the outer gradient at θ'_i.
    Params phi = first.innerLoop().adapted(f.theta, f.train).asVariables();
    Tensor outer = Losses.mse(model, phi, f.valid).scale(1.0 / 3);
    List<Tensor> gphi = Grad.grad(outer, phi.list(), false);
    for (int i = 0; i < gphi.size(); i++) {
      Tensor summed = gphi.get(i).sum(0).reshape(g1.list().get(i).shape());
      assertTrue(summed.sub(g1.list().get(i)).square().sum().item() < 1e-24, "tensor " + i);
    }
  }

  @Test
  void when_adapting_expect_one_plain_gradient_step_per_task() {
    Fixture f = fixture(50);
    MamlAdam maml = adam(model, 0.01, 1, false, 0.001);
    Params adapted = maml.innerLoop().adapted(f.theta, f.train);
    Params vars = f.theta.repeatPerTask(3).detach().asVariables();
    List<Tensor> g = Grad.grad(Losses.mse(model, vars, f.train), vars.list(), false);
    for (int i = 0; i < g.size(); i++) {
      Tensor expected = vars.list().get(i).sub(g.get(i).scale(0.01));
      assertEquals(0.0, expected.sub(adapted.list().get(i)).square().sum().item(), 1e-24);
    }
  }

  @Test
  void when_training_jointly_expect_the_plain_loss_gradient_of_theta() {
    Fixture f = fixture(60);
    MamlAdam joint = MamlAdam.jointTraining(model, TaskLoss.MSE, new Adam(0.001));
    Params g = f.theta.withFlat(metaGradient(joint, f), DataType.DOUBLE);
    Params vars = f.theta.asVariables();
    List<Tensor> plain = Grad.grad(Losses.mse(model, vars, f.valid).scale(1.0 / 3), vars.list(), false);
    for (int i = 0; i < plain.size(); i++) {
      assertTrue(plain.get(i).sub(g.list().get(i)).square().sum().item() < 1e-24);
    }
  }

  @Test
  void when_stepping_on_one_batch_expect_the_meta_objective_to_fall() {
    Fixture f = fixture(70);
    MamlAdam maml = adam(model, 0.01, 1, false, 0.01);
    Params theta = f.theta;
    double first = Double.NaN;
    double last = Double.NaN;
    for (int i = 0; i < 30; i++) {
      MetaLearner.StepResult r = maml.step(theta, f.train, f.valid);
      first = i == 0 ? r.lossBefore() : first;
      last = r.lossBefore();
      theta = r.theta();
    }
    assertTrue(last < 0.8 * first, "meta-objective went from " + first + " to " + last);
    assertEquals(30, maml.optimizer().steps());
  }

  @Test
  void when_mse_meets_a_stochastic_policy_expect_a_clear_error() {
    Policy gaussian = Policies.create(PolicySpec.defaultGaussian(), sinusoid.observationSpace(), sinusoid.actionSpace());
    Fixture f = fixture(80);
    Params theta = gaussian.init(new SplittableRandom(1), DataType.DOUBLE);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Losses.mse(gaussian, theta, f.train));
    assertTrue(e.getMessage().contains("deterministic-mlp"), e.getMessage());
  }

  /**
   * The reply the work gave before it kept only values: the outer loss through an adaptation
   * recorded with its graph (or linked, first order) in the caller's arena, differentiated there.
   */
  private double[] throughRecordedAdaptation(MamlAdam maml, Params theta, Batch train, Batch valid) {
    try (Arena a = Arena.open()) {
      Params vars = theta.detach().asVariables();
      Adaptation ad = maml.innerLoop().adapt(vars.repeatPerTask(1), train, maml.secondOrder());
      Tensor loss = Losses.mse(model, ad.params(), valid).scale(1.0 / valid.tasks());
      double[] g = Params.of(vars.names(), Grad.grad(loss, vars.list(), false)).flat();
      double[] out = new double[g.length + 1];
      out[0] = loss.item();
      System.arraycopy(g, 0, out, 1, g.length);
      return out;
    }
  }

  @Test
  void when_a_task_rebuilds_its_graph_in_scratch_expect_the_recorded_graphs_loss_and_gradient_bit_for_bit() {
    Fixture f = fixture(90);
    for (int steps : new int[] {0, 1, 2}) {
      for (boolean firstOrder : new boolean[] {false, true}) {
        MamlAdam maml = adam(model, 0.05, steps, firstOrder, 0.001);
        for (int i = 0; i < f.train.tasks(); i++) {
          double[] expected = throughRecordedAdaptation(maml, f.theta, f.train.task(i), f.valid.task(i));
          TaskReply r = maml.onBatches(f.theta, f.train.task(i), f.valid.task(i))
              .handle(new TaskRequest(MamlAdam.SETUP, f.theta.flat()));
          String what = steps + " steps, first order " + firstOrder + ", task " + i;
          assertEquals(expected[0], r.values()[0], what + ": loss");
          assertArrayEquals(java.util.Arrays.copyOfRange(expected, 1, expected.length), r.vector(), what);
        }
      }
    }
  }

  /**
   * A meta-iteration's tasks all live in one arena per executor thread until the iteration ends;
   * once a task has answered, it must hold there only what its values-only adaptation copied out
   * (θ, its one-task copy, θ', step inputs, inner gradients), not its forward passes or their
   * graph, or a meta-batch of 32 few-shot tasks needs 32 tasks' second-order graphs at once.
   */
  @Test
  void when_a_task_has_answered_expect_only_its_adaptations_values_left_in_the_iterations_arena() {
    Fixture f = fixture(100);
    for (boolean firstOrder : new boolean[] {false, true}) {
      MamlAdam maml = adam(model, 0.05, 2, firstOrder, 0.001);
      try (Arena iteration = Arena.open()) {
        Batch train = f.train.task(0);
        Batch valid = f.valid.task(0);
        int before = iteration.size();
        Params vars = f.theta.withFlat(f.theta.flat(), DataType.DOUBLE).asVariables();
        maml.innerLoop().adaptValues(vars.repeatPerTask(1), train);
        int values = iteration.size() - before;
        TaskWork work = maml.onBatches(f.theta, train, valid);
        int start = iteration.size();
        work.handle(new TaskRequest(MamlAdam.SETUP, f.theta.flat()));
        assertEquals(values, iteration.size() - start, "first order " + firstOrder + ": arrays a task left behind");
      }
    }
  }
}
