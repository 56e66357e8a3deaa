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
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The MAML meta-gradient and TRPO curvature against finite differences, in float64. */
class MamlTrpoTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 6);
  private final Policy policy = Policies.create(
      new PolicySpec("gaussian-mlp", new int[] {5, 4}, "tanh", 1.0, 1e-6), nav.observationSpace(), nav.actionSpace());

  private record Fixture(Params theta, Batch train, Batch valid, Tensor oldLogProb) {}

  private Fixture fixture(MamlConfig cfg, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Params theta = policy.init(rng, DataType.DOUBLE);
    // Perturb log-std and biases away from their special initial values.
    theta = theta.map(t -> Tensor.variable(t.value().add(GradCheckRandom.uniform(rng, t.shape(), 0.2))));
    List<Task> tasks = nav.sample(2, rng);
    VectorSampler sampler = new VectorSampler(nav);
    LinearFeatureBaseline bl = new LinearFeatureBaseline();
    Episodes tr = sampler.sample(policy, theta, tasks, 3, rng);
    Batch train = Batch.of(tr, Advantages.compute(tr, 0.99, 1.0, bl, true), DataType.DOUBLE);
    MamlTrpo maml = new MamlTrpo(policy, cfg);
    Params adapted = maml.innerLoop().adapted(theta, train);
    Episodes va = sampler.sample(policy, adapted, tasks, 3, rng);
    Batch valid = Batch.of(va, Advantages.compute(va, 0.99, 1.0, bl, true), DataType.DOUBLE);
    Tensor old = policy.forward(adapted, valid.observations()).logProb(valid.actions()).detach();
    return new Fixture(theta, train, valid, old);
  }

  /** The fixture's tasks as training runs them: one work per task, set up at θ. */
  private static TaskChannel setUp(MamlTrpo maml, Fixture f) {
    List<TaskWork> works = new ArrayList<>();
    for (int i = 0; i < f.train.tasks(); i++) {
      works.add(maml.onBatches(f.theta, f.train.task(i), f.valid.task(i)));
    }
    TaskChannel ch = TaskChannel.of(works);
    ch.send(new TaskRequest(MamlTrpo.SETUP, f.theta.flat()));
    return ch;
  }

  /** The meta-gradient the meta-step reduces: the task mean of every work's setup gradient. */
  private static double[] metaGradient(MamlTrpo maml, Fixture f) {
    List<TaskWork> works = new ArrayList<>();
    for (int i = 0; i < f.train.tasks(); i++) {
      works.add(maml.onBatches(f.theta, f.train.task(i), f.valid.task(i)));
    }
    return MetaLearner.meanVector(TaskChannel.of(works).send(new TaskRequest(MamlTrpo.SETUP, f.theta.flat())));
  }

  /** The meta-objective and mean KL at a candidate θ, as the line search sees them. */
  private static double[] evaluate(TaskChannel ch, double[] theta) {
    List<TaskReply> r = ch.send(new TaskRequest(MamlTrpo.EVALUATE, theta));
    return new double[] {MetaLearner.mean(r, 0), MetaLearner.mean(r, 1)};
  }

  private static double relErr(double a, double b) {
    return Math.abs(a - b) / Math.max(1e-3, Math.max(Math.abs(a), Math.abs(b)));
  }

  @Test
  void when_the_meta_gradient_comes_from_structured_products_expect_the_tapes_to_1e_10() {
    // The structured learner never records the inner loop: its setup gradient is J^T applied to
    // the surrogate's gradient at θ'. The tape's differentiates the recorded inner steps.
    for (boolean firstOrder : new boolean[] {false, true}) {
      for (int steps : new int[] {1, 2}) {
        MamlConfig cfg = new MamlConfig(0.5, steps, firstOrder, 0.01, 10, 1e-5, 15, 0.8);
        MamlTrpo structured = new MamlTrpo(policy, cfg, true);
        MamlTrpo tape = new MamlTrpo(policy, cfg, false);
        assertEquals(MetaLearner.AdaptationRecord.VALUES, structured.adaptationRecord());
        Fixture f = fixture(cfg, 31 + steps);
        double[] a = metaGradient(structured, f);
        double[] b = metaGradient(tape, f);
        double worst = 0;
        double scale = 0;
        for (int j = 0; j < a.length; j++) {
          worst = Math.max(worst, Math.abs(a[j] - b[j]));
          scale = Math.max(scale, Math.abs(b[j]));
        }
        assertTrue(scale > 1e-3, "a meta-gradient that is not zero");
        assertTrue(worst <= 1e-10 * scale, "first order " + firstOrder + ", " + steps + " steps: max difference "
            + worst + " of " + scale);
      }
    }
  }

  @Test
  void metaGradientMatchesFiniteDifferencesThroughTheInnerStep() {
    // Both sides are what a meta-step uses: the setup gradients of the tasks' works, and the
    // line search's objective at perturbed θ (old log-probabilities fixed at θ).
    for (int steps : new int[] {1, 2}) {
      MamlConfig cfg = new MamlConfig(0.5, steps, false, 0.01, 10, 1e-5, 15, 0.8);
      MamlTrpo maml = new MamlTrpo(policy, cfg);
      Fixture f = fixture(cfg, 11 + steps);
      double[] g = metaGradient(maml, f);
      TaskChannel ch = setUp(maml, f);
      double[] x = f.theta.flat();
      double worst = 0;
      double h = 1e-6;
      for (int j = 0; j < x.length; j++) {
        double x0 = x[j];
        x[j] = x0 + h;
        double fp = evaluate(ch, x)[0];
        x[j] = x0 - h;
        double fm = evaluate(ch, x)[0];
        x[j] = x0;
        worst = Math.max(worst, relErr((fp - fm) / (2 * h), g[j]));
      }
      assertTrue(worst <= 1e-6, steps + " inner steps: worst relative error " + worst);
    }
  }

  @Test
  void when_setup_objective_at_theta_expect_the_setup_loss() {
    MamlConfig cfg = MamlConfig.defaults();
    MamlTrpo maml = new MamlTrpo(policy, cfg);
    Fixture f = fixture(cfg, 4);
    List<TaskWork> works = new ArrayList<>();
    for (int i = 0; i < f.train.tasks(); i++) {
      works.add(maml.onBatches(f.theta, f.train.task(i), f.valid.task(i)));
    }
    TaskChannel ch = TaskChannel.of(works);
    double loss = MetaLearner.mean(ch.send(new TaskRequest(MamlTrpo.SETUP, f.theta.flat())), 0);
    double[] at = evaluate(ch, f.theta.flat());
    assertEquals(loss, at[0], 1e-12);
    assertEquals(0.0, at[1], 1e-14);
    // The surrogate at θ is minus the task-mean of the weighted advantages (every ratio is 1).
    double expected = -f.valid.advantages().mul(f.valid.weights()).sum().item() / f.valid.tasks();
    assertEquals(expected, loss, 1e-12);
  }

  @Test
  void firstOrderSwitchDropsTheSecondOrderTerm() {
    MamlConfig second = new MamlConfig(0.5, 1, false, 0.01, 10, 1e-5, 15, 0.8);
    MamlConfig first = new MamlConfig(0.5, 1, true, 0.01, 10, 1e-5, 15, 0.8);
    Fixture f = fixture(second, 5);
    double[] g2 = metaGradient(new MamlTrpo(policy, second), f);
    double[] g1 = metaGradient(new MamlTrpo(policy, first), f);
    double diff = 0;
    double norm = 0;
    for (int j = 0; j < g1.length; j++) {
      diff += (g2[j] - g1[j]) * (g2[j] - g1[j]);
      norm += g2[j] * g2[j];
    }
    assertTrue(Math.sqrt(diff / norm) > 1e-3, "first-order gradient equals second-order: " + diff);
    // First order: the meta-gradient is the post-adaptation gradient at θ' averaged over tasks.
    Params phi = new MamlTrpo(policy, first).innerLoop().adapted(f.theta, f.train).asVariables();
    Tensor loss = Losses.surrogate(policy.forward(phi, f.valid.observations()), f.oldLogProb, f.valid);
    List<Tensor> gphi = Grad.grad(loss, phi.list(), false);
    Params shaped = f.theta.withFlat(g1, DataType.DOUBLE);
    for (int i = 0; i < gphi.size(); i++) {
      Tensor summed = gphi.get(i).sum(0).reshape(shaped.list().get(i).shape());
      double err = summed.sub(shaped.list().get(i)).square().sum().item();
      assertTrue(err < 1e-20, "first-order gradient differs from gradient at θ': " + err);
    }
  }

  @Test
  void curvatureIsTheKlHessianThroughTheAdaptation() {
    for (int steps : new int[] {1, 2}) {
      MamlConfig cfg = new MamlConfig(0.5, steps, false, 0.01, 10, 0.0, 15, 0.8);
      MamlTrpo maml = new MamlTrpo(policy, cfg);
      Fixture f = fixture(cfg, 3);
      SplittableRandom rng = new SplittableRandom(9);
      Params v = f.theta.map(t -> Tensor.constant(GradCheckRandom.uniform(rng, t.shape(), 1.0)));
      TaskChannel ch = setUp(maml, f);
      double[] fast = MetaLearner.meanVector(ch.send(new TaskRequest(MamlTrpo.CURVATURE, v.flat())));
      // Brute force: differentiate the KL twice through the adaptation (third-order tape).
      Params vars = f.theta.asVariables();
      Adaptation a = maml.innerLoop().adapt(vars.repeatPerTask(2), f.train, true);
      var old = policy.forward(a.params(), f.valid.observations()).detach();
      Adaptation a2 = maml.innerLoop().adapt(vars.repeatPerTask(2), f.train, true);
      Tensor kl = Losses.kl(policy.forward(a2.params(), f.valid.observations()), old, f.valid);
      Params g = Params.of(vars.names(), Grad.grad(kl, vars.list(), true));
      double[] hv = Params.of(vars.names(), Grad.grad(g.dot(v), vars.list(), false)).flat();
      double worst = 0;
      for (int i = 0; i < fast.length; i++) {
        worst = Math.max(worst, relErr(fast[i], hv[i]));
      }
      assertTrue(worst < 1e-8, steps + " inner steps: J^T F J differs from the brute-force Hessian: " + worst);
      // And against finite differences of the line search's own KL: v.Hv = (kl(θ+εv) + kl(θ-εv)) / ε²
      // since kl(θ) = 0 and its gradient vanishes there.
      double[] x = f.theta.flat();
      double[] d = v.flat();
      double eps = 1e-4;
      double[] plus = x.clone();
      double[] minus = x.clone();
      for (int j = 0; j < x.length; j++) {
        plus[j] += eps * d[j];
        minus[j] -= eps * d[j];
      }
      double fd = (evaluate(ch, plus)[1] + evaluate(ch, minus)[1]) / (eps * eps);
      double quad = 0;
      for (int j = 0; j < d.length; j++) {
        quad += d[j] * fast[j];
      }
      assertEquals(1.0, fd / quad, 1e-5, steps + " inner steps: v.(J^T F J)v " + quad + " against finite differences " + fd);
    }
  }

  @Test
  void when_first_order_expect_curvature_the_kl_hessian_at_the_adapted_params_summed_over_tasks() {
    // First order: J = I, so the product is the Fisher (the KL's Hessian) at each task's θ',
    // applied to the shared direction and averaged over tasks.
    MamlConfig cfg = new MamlConfig(0.5, 1, true, 0.01, 10, 0.0, 15, 0.8);
    MamlTrpo maml = new MamlTrpo(policy, cfg);
    Fixture f = fixture(cfg, 3);
    SplittableRandom rng = new SplittableRandom(9);
    Params v = f.theta.map(t -> Tensor.constant(GradCheckRandom.uniform(rng, t.shape(), 1.0)));
    double[] fast = MetaLearner.meanVector(setUp(maml, f).send(new TaskRequest(MamlTrpo.CURVATURE, v.flat())));
    Params phi = maml.innerLoop().adapted(f.theta, f.train).asVariables();
    var old = policy.forward(phi, f.valid.observations()).detach();
    Tensor kl = Losses.kl(policy.forward(phi, f.valid.observations()), old, f.valid);
    Params g = Params.of(phi.names(), Grad.grad(kl, phi.list(), true));
    Params hv = Params.of(phi.names(), Grad.grad(g.dot(v.repeatPerTask(f.valid.tasks())), phi.list(), false));
    double[] y = hv.map(t -> {
      long[] s = t.shape();
      return t.sum(0).reshape(java.util.Arrays.copyOfRange(s, 1, s.length));
    }).flat();
    assertEquals(y.length, fast.length);
    double worst = 0;
    for (int i = 0; i < fast.length; i++) {
      worst = Math.max(worst, relErr(fast[i], y[i]));
    }
    assertTrue(worst < 1e-8, "first-order curvature differs from the summed Fisher products: " + worst);
  }

  @Test
  void trpoStepImprovesTheSurrogateWithinMaxKl() {
    MamlConfig cfg = new MamlConfig(0.1, 1, false, 0.01, 10, 1e-5, 15, 0.8);
    MamlTrpo maml = new MamlTrpo(policy, cfg);
    Fixture f = fixture(cfg, 21);
    MetaLearner.StepResult r = maml.step(f.theta, f.train, f.valid);
    assertTrue(r.accepted());
    assertTrue(r.kl() <= cfg.maxKl(), "kl " + r.kl());
    assertTrue(r.lossAfter() < r.lossBefore());
    // Recompute independently: KL(new || old) between the adapted policies, the references'
    // direction, which differs from KL(old || new) once the standard deviation has moved.
    Params oldAdapted = maml.innerLoop().adapted(f.theta, f.train);
    Params newAdapted = maml.innerLoop().adapted(r.theta(), f.train);
    var newPi = policy.forward(newAdapted, f.valid.observations());
    var oldPi = policy.forward(oldAdapted, f.valid.observations());
    double kl = newPi.kl(oldPi).mul(f.valid.weights()).sum().item() / f.valid.totalTasks();
    double reverse = oldPi.kl(newPi).mul(f.valid.weights()).sum().item() / f.valid.totalTasks();
    assertEquals(r.kl(), kl, 1e-9);
    assertTrue(Math.abs(kl - reverse) > 1e-6 * kl, "both directions agree: " + kl + " " + reverse);
    assertTrue(kl <= cfg.maxKl());
  }

  @Test
  void float32StepKeepsItsTypeAndRespectsMaxKl() {
    MamlConfig cfg = new MamlConfig(0.1, 1, false, 0.01, 10, 1e-5, 15, 0.8);
    MamlTrpo maml = new MamlTrpo(policy, cfg);
    Fixture f = fixture(cfg, 21);
    Params theta = f.theta.map(t -> Tensor.constant(t.value().castTo(DataType.FLOAT)));
    Batch train = cast(f.train);
    Batch valid = cast(f.valid);
    long backwards = io.maml4j.autodiff.MlpBlocks.backwards();
    MetaLearner.StepResult r = maml.step(theta, train, valid);
    // Adaptation, the structured setup (its inner gradient and its surrogate's) and each
    // line-search candidate's adaptation take blocked reverse passes in float32.
    assertTrue(io.maml4j.autodiff.MlpBlocks.backwards() - backwards >= 3 + r.lineSearchSteps(),
        (io.maml4j.autodiff.MlpBlocks.backwards() - backwards) + " blocked reverse passes");
    assertTrue(r.accepted());
    assertTrue(r.kl() <= cfg.maxKl(), "kl " + r.kl());
    for (Tensor t : r.theta().list()) {
      assertEquals(DataType.FLOAT, t.dataType());
    }
    // The float64 step from the same episodes points the same way (conjugate gradient runs in
    // float64 in both; only the curvature products differ in precision).
    MetaLearner.StepResult r64 = maml.step(f.theta, f.train, f.valid);
    Params d32 = r.theta().zip(theta, (a, b) -> Tensor.constant(a.value().sub(b.value()).castTo(DataType.DOUBLE)));
    Params d64 = r64.theta().zip(f.theta, (a, b) -> Tensor.constant(a.value().sub(b.value())));
    double cos = d32.dot(d64).item() / Math.sqrt(d32.dot(d32).item() * d64.dot(d64).item());
    assertTrue(cos > 0.99, "cosine between the float32 and float64 steps: " + cos);
  }

  @Test
  void when_step_is_scaled_to_the_kl_radius_expect_the_kl_its_quadratic_model_predicts() {
    // The full step solves F x = g and is scaled so that its quadratic-model KL, x.Fx / 2, is
    // max KL. With a small radius the model is accurate: on this fixture the full step's KL is a
    // little above max KL (rejected), and the half step's is max KL / 4 within 5 %.
    MamlConfig cfg = new MamlConfig(0.1, 1, false, 1e-4, 10, 1e-5, 15, 0.5);
    Fixture f = fixture(cfg, 21);
    MetaLearner.StepResult r = new MamlTrpo(policy, cfg).step(f.theta, f.train, f.valid);
    assertTrue(r.accepted());
    assertEquals(2, r.lineSearchSteps());
    double predicted = cfg.maxKl() * 0.5 * 0.5;
    assertEquals(1.0, r.kl() / predicted, 0.05, "kl " + r.kl() + " against " + predicted);
    assertTrue(r.lossAfter() < r.lossBefore());
  }

  @Test
  void when_every_line_search_step_breaks_the_trust_region_expect_theta_unchanged() {
    // With a radius of 1 nat the steps of size 1, 0.8 and 0.64 leave the radius on this fixture
    // and the fourth (0.512) would be accepted: three allowed steps must all be rejected.
    MamlConfig three = new MamlConfig(0.1, 1, false, 1.0, 10, 1e-5, 3, 0.8);
    Fixture f = fixture(three, 21);
    MetaLearner.StepResult r = new MamlTrpo(policy, three).step(f.theta, f.train, f.valid);
    assertEquals(false, r.accepted());
    assertEquals(3, r.lineSearchSteps());
    assertEquals(0.0, r.kl());
    assertEquals(r.lossBefore(), r.lossAfter());
    assertSameValues(f.theta, r.theta());
    MamlConfig four = new MamlConfig(0.1, 1, false, 1.0, 10, 1e-5, 4, 0.8);
    MetaLearner.StepResult r4 = new MamlTrpo(policy, four).step(f.theta, f.train, f.valid);
    assertTrue(r4.accepted(), "the fixture no longer needs a fourth step; the case above tests nothing");
    assertEquals(4, r4.lineSearchSteps());
  }

  @Test
  void when_advantages_are_zero_expect_no_step_and_no_line_search() {
    MamlConfig cfg = MamlConfig.defaults();
    Fixture f = fixture(cfg, 21);
    Batch v = f.valid;
    Batch zero = new Batch(v.observations(), v.actions(), Tensor.constant(v.advantages().value().mul(0.0)),
        v.weights(), v.tasks());
    MetaLearner.StepResult r = new MamlTrpo(policy, cfg).step(f.theta, f.train, zero);
    assertEquals(false, r.accepted());
    assertEquals(0, r.lineSearchSteps());
    assertEquals(0.0, r.lossBefore(), 0);
    assertEquals(0.0, r.lossAfter(), 0);
    assertSameValues(f.theta, r.theta());
  }

  @Test
  void when_advantages_have_a_mean_expect_loss_before_minus_their_weighted_average() {
    // At θ the adapted policy is the sampling one: every ratio is 1 and the surrogate is
    // -sum(A w) / T, the task mean of each task's own surrogate.
    MamlConfig cfg = MamlConfig.defaults();
    Fixture f = fixture(cfg, 21);
    Batch v = f.valid;
    Batch shifted = new Batch(v.observations(), v.actions(), Tensor.constant(v.advantages().value().add(1.0)),
        v.weights(), v.tasks());
    double expected = -shifted.advantages().mul(shifted.weights()).sum().item() / shifted.totalTasks();
    MetaLearner.StepResult r = new MamlTrpo(policy, cfg).step(f.theta, f.train, shifted);
    assertEquals(expected, r.lossBefore(), 1e-9);
    assertTrue(Math.abs(expected) > 0.5, "fixture loss " + expected);
  }

  @Test
  void when_a_request_comes_before_setup_or_is_unknown_expect_an_error() {
    MamlConfig cfg = MamlConfig.defaults();
    MamlTrpo maml = new MamlTrpo(policy, cfg);
    Fixture f = fixture(cfg, 21);
    Params vars = f.theta.asVariables();
    Adaptation a = maml.innerLoop().adapt(vars.repeatPerTask(1), f.train.task(0), true);
    TaskWork w = maml.taskWork(vars, a, f.train.task(0), f.valid.task(0));
    IllegalStateException early = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
        () -> w.handle(new TaskRequest(MamlTrpo.CURVATURE, f.theta.flat())));
    assertTrue(early.getMessage().contains(MamlTrpo.SETUP), early.getMessage());
    IllegalArgumentException unknown = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> w.handle(new TaskRequest("adam.setup", f.theta.flat())));
    assertTrue(unknown.getMessage().contains("adam.setup"), unknown.getMessage());
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
        () -> maml.taskWork(vars, a, f.train, f.valid));
    assertEquals(cfg, maml.config());
  }

  private static void assertSameValues(Params expected, Params actual) {
    for (String n : expected.names()) {
      org.junit.jupiter.api.Assertions.assertArrayEquals(expected.get(n).toDoubles(), actual.get(n).toDoubles(), 0, n);
    }
  }

  private static Batch cast(Batch b) {
    java.util.function.Function<Tensor, Tensor> c = t -> Tensor.constant(t.value().castTo(DataType.FLOAT));
    return new Batch(c.apply(b.observations()), c.apply(b.actions()), c.apply(b.advantages()), c.apply(b.weights()),
        b.tasks(), b.totalTasks());
  }
}
