package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

/** ProMP's outer objective in float64: its value at θ_old, and its gradient through the inner step. */
class ProMpObjectiveTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 6);
  private final Policy policy = Policies.create(
      new PolicySpec("gaussian-mlp", new int[] {5, 4}, "tanh", 1.0, 1e-6), nav.observationSpace(), nav.actionSpace());

  private record Fixture(Params thetaOld, ProMpObjective objective, ProMpObjective.Samples samples) {}

  private Fixture fixture(String estimator, int innerSteps, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Params theta = policy.init(rng, DataType.DOUBLE);
    Params thetaOld = theta.map(t -> Tensor.variable(t.value().add(GradCheckRandom.uniform(rng, t.shape(), 0.2))));
    ProMpObjective objective = new ProMpObjective(policy, estimator, 0.5, innerSteps, 0.3);
    List<Task> tasks = nav.sample(2, rng);
    VectorSampler sampler = new VectorSampler(nav);
    LinearFeatureBaseline bl = new LinearFeatureBaseline();
    Episodes tr = sampler.sample(policy, thetaOld, tasks, 3, rng);
    Batch train = Batch.of(tr, Advantages.compute(tr, 0.99, 1.0, bl, true),
        new Batch.Rewards(0.99, Advantages.values(tr, 0.99, bl)), DataType.DOUBLE);
    Params adapted = new ProMp(policy, ProMpConfig.defaults(), estimator, 0.5, innerSteps,
        new io.maml4j.optim.Adam(1e-3)).innerLoop().adapted(thetaOld, train);
    Episodes va = sampler.sample(policy, adapted, tasks, 3, rng);
    Batch valid = Batch.of(va, Advantages.compute(va, 0.99, 1.0, bl, true), DataType.DOUBLE);
    return new Fixture(thetaOld, objective, objective.samples(thetaOld, train, valid));
  }

  private static double relErr(double a, double b) {
    return Math.abs(a - b) / Math.max(1e-3, Math.max(Math.abs(a), Math.abs(b)));
  }

  @Test
  void when_theta_is_the_sampling_theta_expect_unit_ratios_and_zero_kl() {
    Fixture f = fixture("lvc", 1, 1);
    ProMpObjective.Result r = f.objective.evaluate(f.thetaOld, f.samples, 5e-4);
    Batch v = f.samples.valid();
    assertEquals(-v.advantages().mul(v.weights()).sum().item() / v.totalTasks(), r.surrogate(), 1e-12);
    assertEquals(0.0, r.kl(), 1e-12);
    assertEquals(r.surrogate(), r.loss(), 1e-12);
  }

  /**
   * The whole outer gradient, through the second-order inner step, against central differences
   * of the objective's value along random directions, at θ_old and at a θ where some ratios are clipped.
   */
  @Test
  void when_differentiated_through_the_inner_step_expect_central_differences_of_the_objective() {
    for (String estimator : List.of("lvc", "dice")) {
      for (int steps : new int[] {1, 2}) {
        Fixture f = fixture(estimator, steps, 3 + steps);
        SplittableRandom rng = new SplittableRandom(4);
        Params moved = f.thetaOld.map(t -> Tensor.variable(t.value().add(GradCheckRandom.uniform(rng, t.shape(), 0.3))));
        for (Params theta : List.of(f.thetaOld, moved)) {
          double eta = 0.7; // large, so the KL term's gradient shows beside the surrogate's
          ProMpObjective.Result r = f.objective.evaluate(theta, f.samples, eta);
          // Directional derivatives along random directions: a wrong component of the gradient
          // shows in every one of them, at a fraction of the cost of one per coordinate.
          double worst = 0;
          double h = 1e-6;
          for (int d = 0; d < 4; d++) {
            Params v = theta.map(t -> Tensor.constant(GradCheckRandom.uniform(rng, t.shape(), 1.0)));
            double fp = f.objective.evaluate(theta.zip(v, (t, u) -> Tensor.constant(t.value().add(u.value().mul(h)))),
                f.samples, eta).loss();
            double fm = f.objective.evaluate(theta.zip(v, (t, u) -> Tensor.constant(t.value().sub(u.value().mul(h)))),
                f.samples, eta).loss();
            worst = Math.max(worst, relErr((fp - fm) / (2 * h), r.grad().dot(v).item()));
          }
          assertTrue(worst <= 1e-6, estimator + ", " + steps + " inner steps: worst relative error " + worst);
        }
        // At the moved θ the clip is active somewhere, so the check covered both branches.
        assertTrue(clippedRows(f, moved) > 0, "no ratio outside 1 ± ε at the moved θ");
      }
    }
  }

  private long clippedRows(Fixture f, Params theta) {
    ProMpObjective.Samples s = f.samples;
    Params adapted = f.objective.adapt(theta.detach().repeatPerTask(s.train().tasks()), s.train(), s.trainLogProb(),
        false);
    double[] lp = policy.forward(adapted, s.valid().observations()).logProb(s.valid().actions()).toDoubles();
    double[] old = s.validLogProb().toDoubles();
    double[] w = s.valid().weights().toDoubles();
    long n = 0;
    for (int i = 0; i < lp.length; i++) {
      double r = Math.exp(lp[i] - old[i]);
      n += w[i] > 0 && (r < 0.7 || r > 1.3) ? 1 : 0;
    }
    return n;
  }

  @Test
  void when_clip_and_min_are_evaluated_expect_the_elementwise_values() {
    Tensor x = Tensor.of(new double[] {0.5, 0.9, 1.5}, DataType.DOUBLE, 3);
    assertEquals(List.of(0.7, 0.9, 1.3), boxed(ProMpObjective.clip(x, 0.7, 1.3)));
    Tensor y = Tensor.of(new double[] {1, 0, 1.5}, DataType.DOUBLE, 3);
    assertEquals(List.of(0.5, 0.0, 1.5), boxed(ProMpObjective.min(x, y)));
  }

  private static List<Double> boxed(Tensor t) {
    return java.util.Arrays.stream(t.toDoubles()).map(v -> Math.round(v * 1e12) / 1e12).boxed().toList();
  }

  @Test
  void when_settings_are_out_of_range_expect_one_clear_error() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ProMpObjective(policy, "reinforce", 0.1, 1, 0.3));
    assertEquals("ProMP's inner estimator must be lvc or dice, got reinforce", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ProMpConfig(0, 0.3, 5e-4, 0));
    assertEquals("promp_steps must be at least 1, got 0", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> new ProMpConfig(5, 1, 5e-4, 0));
    assertEquals("clip_eps must be in (0, 1), got 1.0", e.getMessage());
    // Adaptive η: halve below target / 1.5, double above 1.5 target, else keep.
    ProMpConfig adaptive = new ProMpConfig(5, 0.3, 5e-4, 0.01);
    assertEquals(0.5, adaptive.adaptKlCoeff(1, 0.006), 0);
    assertEquals(2.0, adaptive.adaptKlCoeff(1, 0.016), 0);
    assertEquals(1.0, adaptive.adaptKlCoeff(1, 0.01), 0);
    assertEquals(1.0, ProMpConfig.defaults().adaptKlCoeff(1, 1), 0);
  }
}
