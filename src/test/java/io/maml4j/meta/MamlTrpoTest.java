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
import org.nd4j.linalg.api.ndarray.INDArray;

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
    Params adapted = maml.adapt(theta, train);
    Episodes va = sampler.sample(policy, adapted, tasks, 3, rng);
    Batch valid = Batch.of(va, Advantages.compute(va, 0.99, 1.0, bl, true), DataType.DOUBLE);
    Tensor old = policy.forward(adapted, valid.observations()).logProb(valid.actions()).detach();
    return new Fixture(theta, train, valid, old);
  }

  private static double relErr(double a, double b) {
    return Math.abs(a - b) / Math.max(1e-3, Math.max(Math.abs(a), Math.abs(b)));
  }

  @Test
  void metaGradientMatchesFiniteDifferencesThroughTheInnerStep() {
    for (int steps : new int[] {1, 2}) {
      MamlConfig cfg = new MamlConfig(0.5, steps, false, 0.01, 10, 1e-5, 15, 0.8);
      MamlTrpo maml = new MamlTrpo(policy, cfg);
      Fixture f = fixture(cfg, 11 + steps);
      Params g = maml.metaGradient(f.theta, f.train, f.valid, f.oldLogProb);
      double worst = 0;
      double h = 1e-6;
      for (String name : f.theta.names()) {
        INDArray x = f.theta.get(name).value();
        for (long j = 0; j < x.length(); j++) {
          double x0 = x.getDouble(j);
          x.putScalar(j, x0 + h);
          double fp = maml.objective(f.theta.asVariables(), f.train, f.valid, f.oldLogProb).item();
          x.putScalar(j, x0 - h);
          double fm = maml.objective(f.theta.asVariables(), f.train, f.valid, f.oldLogProb).item();
          x.putScalar(j, x0);
          double fd = (fp - fm) / (2 * h);
          worst = Math.max(worst, relErr(fd, g.get(name).value().getDouble(j)));
        }
      }
      assertTrue(worst <= 1e-6, steps + " inner steps: worst relative error " + worst);
    }
  }

  @Test
  void firstOrderSwitchDropsTheSecondOrderTerm() {
    MamlConfig second = new MamlConfig(0.5, 1, false, 0.01, 10, 1e-5, 15, 0.8);
    MamlConfig first = new MamlConfig(0.5, 1, true, 0.01, 10, 1e-5, 15, 0.8);
    Fixture f = fixture(second, 5);
    Params g2 = new MamlTrpo(policy, second).metaGradient(f.theta, f.train, f.valid, f.oldLogProb);
    Params g1 = new MamlTrpo(policy, first).metaGradient(f.theta, f.train, f.valid, f.oldLogProb);
    double diff = g2.zip(g1, Tensor::sub).map(Tensor::square).list().stream().mapToDouble(t -> t.sum().item()).sum();
    double norm = g2.map(Tensor::square).list().stream().mapToDouble(t -> t.sum().item()).sum();
    assertTrue(Math.sqrt(diff / norm) > 1e-3, "first-order gradient equals second-order: " + diff);
    // First order: the meta-gradient is the post-adaptation gradient at θ' summed over tasks.
    Adaptation a = Adaptation.adapt(policy, f.theta.detach(), f.train, 0.5, 1, false);
    Params phi = a.params().asVariables();
    Tensor loss = Losses.surrogate(policy.forward(phi, f.valid.observations()), f.oldLogProb, f.valid);
    List<Tensor> gphi = Grad.grad(loss, phi.list(), false);
    for (int i = 0; i < gphi.size(); i++) {
      Tensor summed = gphi.get(i).sum(0).reshape(g1.list().get(i).shape());
      double err = summed.sub(g1.list().get(i)).square().sum().item();
      assertTrue(err < 1e-20, "first-order gradient differs from gradient at θ': " + err);
    }
  }

  @Test
  void curvatureIsTheKlHessianThroughTheAdaptation() {
    MamlConfig cfg = new MamlConfig(0.5, 1, false, 0.01, 10, 0.0, 15, 0.8);
    MamlTrpo maml = new MamlTrpo(policy, cfg);
    Fixture f = fixture(cfg, 3);
    SplittableRandom rng = new SplittableRandom(9);
    Params v = f.theta.map(t -> Tensor.constant(GradCheckRandom.uniform(rng, t.shape(), 1.0)));
    Params fast = maml.curvature(f.theta.asVariables(), f.train, f.valid).apply(v);
    // Brute force: differentiate the KL twice through the adaptation (third-order tape).
    Params vars = f.theta.asVariables();
    Adaptation a = maml.differentiableAdaptation(vars, f.train);
    var old = policy.forward(a.params(), f.valid.observations()).detach();
    Adaptation a2 = maml.differentiableAdaptation(vars, f.train);
    Tensor kl = Losses.kl(policy.forward(a2.params(), f.valid.observations()), old, f.valid);
    Params g = Params.of(vars.names(), Grad.grad(kl, vars.list(), true));
    Params hv = Params.of(vars.names(), Grad.grad(g.dot(v), vars.list(), false));
    double worst = 0;
    for (String n : vars.names()) {
      double[] x = fast.get(n).toDoubles();
      double[] y = hv.get(n).toDoubles();
      for (int i = 0; i < x.length; i++) {
        worst = Math.max(worst, relErr(x[i], y[i]));
      }
    }
    assertTrue(worst < 1e-8, "J^T F J differs from the brute-force Hessian: " + worst);
  }

  @Test
  void when_first_order_expect_curvature_the_kl_hessian_at_the_adapted_params_summed_over_tasks() {
    // First order: J = I, so the product is the Fisher (the KL's Hessian) at each task's θ',
    // applied to the shared direction and summed over tasks.
    MamlConfig cfg = new MamlConfig(0.5, 1, true, 0.01, 10, 0.0, 15, 0.8);
    MamlTrpo maml = new MamlTrpo(policy, cfg);
    Fixture f = fixture(cfg, 3);
    SplittableRandom rng = new SplittableRandom(9);
    Params v = f.theta.map(t -> Tensor.constant(GradCheckRandom.uniform(rng, t.shape(), 1.0)));
    Params fast = maml.curvature(f.theta.asVariables(), f.train, f.valid).apply(v);
    Params phi = maml.adapt(f.theta, f.train).asVariables();
    var old = policy.forward(phi, f.valid.observations()).detach();
    Tensor kl = Losses.kl(policy.forward(phi, f.valid.observations()), old, f.valid);
    Params g = Params.of(phi.names(), Grad.grad(kl, phi.list(), true));
    Params hv = Params.of(phi.names(), Grad.grad(g.dot(v.repeatPerTask(f.valid.tasks())), phi.list(), false));
    double worst = 0;
    for (String n : phi.names()) {
      double[] x = fast.get(n).toDoubles();
      double[] y = hv.get(n).sum(0).toDoubles();
      assertEquals(y.length, x.length);
      for (int i = 0; i < x.length; i++) {
        worst = Math.max(worst, relErr(x[i], y[i]));
      }
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
    Params oldAdapted = maml.adapt(f.theta, f.train);
    Params newAdapted = maml.adapt(r.theta(), f.train);
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
    MetaLearner.StepResult r = maml.step(theta, train, valid);
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
    // -sum(A w) / T, summed here over the two tasks' groups.
    MamlConfig cfg = MamlConfig.defaults();
    Fixture f = fixture(cfg, 21);
    Batch v = f.valid;
    Batch shifted = new Batch(v.observations(), v.actions(), Tensor.constant(v.advantages().value().add(1.0)),
        v.weights(), v.tasks());
    double expected = -shifted.advantages().mul(shifted.weights()).sum().item() / shifted.totalTasks();
    MetaLearner.StepResult r = new MamlTrpo(policy, cfg, 2).step(f.theta, f.train, shifted);
    assertEquals(expected, r.lossBefore(), 1e-9);
    assertTrue(Math.abs(expected) > 0.5, "fixture loss " + expected);
  }

  @Test
  void when_tasks_are_split_over_threads_expect_the_single_thread_step() {
    MamlConfig cfg = new MamlConfig(0.1, 1, false, 0.01, 10, 1e-5, 15, 0.8);
    Fixture f = fixture(cfg, 21);
    MetaLearner.StepResult one = new MamlTrpo(policy, cfg, 1).step(f.theta, f.train, f.valid);
    for (int threads : new int[] {2, 3}) {
      MetaLearner.StepResult many = new MamlTrpo(policy, cfg, threads).step(f.theta, f.train, f.valid);
      assertEquals(one.lineSearchSteps(), many.lineSearchSteps());
      assertEquals(one.lossBefore(), many.lossBefore(), 1e-12);
      assertEquals(one.lossAfter(), many.lossAfter(), 1e-12);
      assertEquals(one.kl(), many.kl(), 1e-12);
      for (String n : one.theta().names()) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(one.theta().get(n).toDoubles(),
            many.theta().get(n).toDoubles(), 1e-10, threads + " threads: " + n);
      }
    }
    org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> new MamlTrpo(policy, cfg, 0));
    assertEquals(cfg, new MamlTrpo(policy, cfg).config());
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
