package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.policy.GaussianMlpPolicy;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * J^T F J from structured products against {@link MamlTrpo.Curvature}'s tape products, in float64:
 * 1 and 2 inner steps, initial and perturbed θ, Gaussian and categorical policies, first order.
 */
class StructuredCurvatureTest {
  private static final int TASKS = 3;
  private static final int ROWS = 13;

  private static Tensor uniform(SplittableRandom rng, double lo, double hi, long... shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    double[] x = new double[(int) n];
    for (int i = 0; i < x.length; i++) {
      x[i] = lo + (hi - lo) * rng.nextDouble();
    }
    return Tensor.of(x, DataType.DOUBLE, shape);
  }

  private static Batch batch(Policy policy, SplittableRandom rng) {
    Tensor obs = uniform(rng, -1, 1, TASKS, ROWS, 3);
    Tensor act;
    if (policy.actionSpace() instanceof Discrete d) {
      double[] a = new double[TASKS * ROWS];
      for (int i = 0; i < a.length; i++) {
        a[i] = rng.nextInt(d.n());
      }
      act = Tensor.of(a, DataType.DOUBLE, TASKS, ROWS, 1);
    } else {
      act = uniform(rng, -1.5, 1.5, TASKS, ROWS, 2);
    }
    return new Batch(obs, act, uniform(rng, -2, 2, TASKS, ROWS, 1), uniform(rng, 0.01, 0.1, TASKS, ROWS, 1), TASKS);
  }

  private static void assertClose(Params expected, Params actual, String what) {
    assertClose(expected, actual, what, 1e-10);
  }

  private static void assertClose(Params expected, Params actual, String what, double tolerance) {
    for (String n : expected.names()) {
      assertArrayEquals(expected.get(n).shape(), actual.get(n).shape(), what + " " + n + " shape");
      double[] e = expected.get(n).toDoubles();
      double[] a = actual.get(n).toDoubles();
      double scale = 0;
      double err = 0;
      for (int i = 0; i < e.length; i++) {
        scale = Math.max(scale, Math.abs(e[i]));
        err = Math.max(err, Math.abs(e[i] - a[i]));
      }
      assertTrue(scale > 0, what + " " + n + ": the tape's product is zero");
      assertTrue(err <= tolerance * scale, what + " " + n + ": max error " + err + " against max " + scale);
    }
  }

  private void check(Policy policy, boolean firstOrder) {
    for (int steps : new int[] {1, 2}) {
      for (boolean perturbed : new boolean[] {false, true}) {
        String what = policy.spec().type() + ", " + steps + " inner steps, " + (perturbed ? "perturbed" : "initial")
            + (firstOrder ? ", first order" : "");
        SplittableRandom rng = new SplittableRandom(31 * steps + (perturbed ? 7 : 0));
        Params theta = policy.init(rng, DataType.DOUBLE).detach();
        if (perturbed) {
          theta = theta.map(t -> Tensor.constant(t.value().add(uniform(rng, -0.3, 0.3, t.shape()).value())));
        }
        MamlConfig cfg = new MamlConfig(0.5, steps, firstOrder, 0.01, 10, 1e-5, 15, 0.8);
        Batch train = batch(policy, rng);
        Batch valid = batch(policy, rng);
        Params v = theta.map(t -> uniform(rng, -1, 1, t.shape()));

        MamlTrpo maml = new MamlTrpo(policy, cfg, false);
        Adaptation a = maml.innerLoop().adapt(theta.asVariables().repeatPerTask(TASKS), train, !firstOrder);
        MamlTrpo.Curvature tape = maml.new Curvature(a, policy.forward(a.params(), valid.observations()).detach(), valid);
        Params perTask = tape.jacobian(v);
        // The tape's operator is per task (each task's own mean KL), as the task works use it.
        Params product = tape.perTaskProduct(v);
        StructuredCurvature fast = StructuredCurvature.perTask(policy, a, new double[] {cfg.fastLr()}, firstOrder,
            train, valid);
        assertClose(perTask, fast.jacobian(v), what + " J v");
        assertClose(tape.fisher(perTask), fast.fisher(perTask), what + " F w");
        assertClose(product, fast.perTaskProduct(v), what + " J_i^T F_i J_i v");
        // The meta-batch mean: the tasks' products summed and divided by their number.
        Params mean = product.map(t -> {
          long[] sh = t.shape();
          return t.sum(0).reshape(java.util.Arrays.copyOfRange(sh, 1, sh.length)).scale(1.0 / TASKS);
        });
        for (StructuredCurvature whole : new StructuredCurvature[] {StructuredCurvature.build(policy, cfg, theta, train,
            valid), StructuredCurvature.of(policy, a, new double[] {cfg.fastLr()}, firstOrder, train, valid)}) {
          assertClose(mean, whole.product(v), what + " mean J^T F J v");
        }
      }
    }
  }

  @Test
  void when_gaussian_expect_the_tapes_curvature() {
    check(Policies.create(new PolicySpec("gaussian-mlp", new int[] {6, 5}, "tanh", 1.0, 1e-6), Box.of(3, -1, 1),
        Box.of(2, -1, 1)), false);
  }

  @Test
  void when_categorical_expect_the_tapes_curvature() {
    check(Policies.create(new PolicySpec("categorical-mlp", new int[] {6, 5}, "tanh", 1.0, 1e-6), Box.of(3, -1, 1),
        new Discrete(4)), false);
  }

  @Test
  void when_first_order_expect_the_tapes_curvature() {
    check(Policies.create(new PolicySpec("gaussian-mlp", new int[] {6, 5}, "tanh", 1.0, 1e-6), Box.of(3, -1, 1),
        Box.of(2, -1, 1)), true);
  }

  @Test
  void when_a_meta_step_uses_structured_products_expect_the_tapes_step() {
    Policy policy = Policies.create(new PolicySpec("gaussian-mlp", new int[] {6, 5}, "tanh", 1.0, 1e-6),
        Box.of(3, -1, 1), Box.of(2, -1, 1));
    SplittableRandom rng = new SplittableRandom(17);
    Params theta = policy.init(rng, DataType.DOUBLE).detach();
    MamlConfig cfg = new MamlConfig(0.1, 1, false, 1e-4, 10, 1e-5, 15, 0.8);
    Batch train = batch(policy, rng);
    Batch valid = batch(policy, rng);
    MamlTrpo fast = new MamlTrpo(policy, cfg, true);
    MamlTrpo tape = new MamlTrpo(policy, cfg, false);
    assertTrue(fast.structuredCurvature() && !tape.structuredCurvature());
    MetaLearner.StepResult a = tape.step(theta, train, valid);
    MetaLearner.StepResult b = fast.step(theta, train, valid);
    assertTrue(a.accepted(), "the fixture's step should be accepted");
    // Ten CG iterations on a curvature damped by only 1e-5 amplify the products' rounding.
    assertClose(a.theta().zip(theta, Tensor::sub), b.theta().zip(theta, Tensor::sub), "the step θ_new - θ", 1e-6);
  }

  @Test
  void when_built_expect_the_tapes_adapted_parameters() {
    Policy policy = Policies.create(new PolicySpec("gaussian-mlp", new int[] {4}, "tanh", 1.0, 1e-6), Box.of(3, -1, 1),
        Box.of(2, -1, 1));
    SplittableRandom rng = new SplittableRandom(5);
    Params theta = policy.init(rng, DataType.DOUBLE).detach();
    MamlConfig cfg = new MamlConfig(0.5, 2, false, 0.01, 10, 1e-5, 15, 0.8);
    Batch train = batch(policy, rng);
    Params expected = new MamlTrpo(policy, cfg).innerLoop().adapted(theta, train);
    Params actual = StructuredCurvature.build(policy, cfg, theta, train, batch(policy, rng)).adapted();
    assertClose(expected, actual, "adapted " + GaussianMlpPolicy.LOG_STD);
  }
}
