package io.maml4j.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The structured Fisher and inner Hessian-vector products against double backward on the tape,
 * in float64: at the initial ("old") parameters and at perturbed ones, shared and per task, for
 * the Gaussian (with a log-std clamped at its floor) and the categorical policy, tanh and ReLU.
 */
class CurvaturesTest {
  private static final int TASKS = 3;
  private static final int ROWS = 11;
  private static final int OBS = 4;

  private static Policy gaussian(String nonlinearity) {
    // min_std 0.3: the perturbed fixture puts one log-std below log 0.3, where the floor clamps it.
    return Policies.create(new PolicySpec("gaussian-mlp", new int[] {6, 5}, nonlinearity, 1.0, 0.3),
        Box.of(OBS, -1, 1), Box.of(2, -1, 1));
  }

  private static Policy categorical(String nonlinearity) {
    return Policies.create(new PolicySpec("categorical-mlp", new int[] {6, 5}, nonlinearity, 1.0, 1e-6),
        Box.of(OBS, -1, 1), new Discrete(3));
  }

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

  private static Params like(Params p, SplittableRandom rng, double scale) {
    return p.map(t -> uniform(rng, -scale, scale, t.shape()));
  }

  /** Parameters: initial or perturbed, shared or stacked per task (each task its own). */
  private static Params params(Policy policy, boolean perturbed, boolean perTask, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    Params p = policy.init(rng, DataType.DOUBLE).detach();
    if (perTask) {
      p = p.repeatPerTask(TASKS).detach();
    }
    if (perturbed) {
      p = p.zip(like(p, rng, 0.3), (a, b) -> Tensor.constant(a.value().add(b.value())));
      if (policy instanceof GaussianMlpPolicy) {
        INDArray ls = p.get(GaussianMlpPolicy.LOG_STD).value();
        ls.putScalar(0, Math.log(0.2));
      }
    }
    return p;
  }

  private Tensor actions(Policy policy, SplittableRandom rng) {
    if (policy instanceof CategoricalMlpPolicy) {
      double[] a = new double[TASKS * ROWS];
      for (int i = 0; i < a.length; i++) {
        a[i] = rng.nextInt(3);
      }
      return Tensor.of(a, DataType.DOUBLE, TASKS, ROWS, 1);
    }
    return uniform(rng, -1.5, 1.5, TASKS, ROWS, 2);
  }

  private static void assertClose(Params expected, Params actual, String what) {
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
      assertTrue(scale > 0 || err == 0, what + " " + n + ": the tape's product is zero");
      assertTrue(err <= 1e-10 * Math.max(scale, 1e-12), what + " " + n + ": max error " + err + " against max " + scale);
    }
  }

  private static Params tapeFisher(Policy policy, Params phi, Tensor obs, Tensor kw, Params w) {
    Params vars = phi.asVariables();
    Distribution old = policy.forward(phi, obs).detach();
    Tensor kl = policy.forward(vars, obs).kl(old).mul(kw).sum();
    Params klGrad = Params.of(vars.names(), Grad.grad(kl, vars.list(), true));
    return Params.of(vars.names(), Grad.grad(klGrad.dot(w), vars.list(), false));
  }

  private static Tensor reinforce(Policy policy, Params vars, Tensor obs, Tensor act, Tensor coef) {
    return policy.forward(vars, obs).logProb(act).mul(coef).sum().neg();
  }

  private void checkAll(Policy policy) {
    long seed = 1;
    for (boolean perturbed : new boolean[] {false, true}) {
      for (boolean perTask : new boolean[] {false, true}) {
        String what = policy.spec().type() + " " + policy.spec().nonlinearity() + (perturbed ? " perturbed" : " initial")
            + (perTask ? " per task" : " shared");
        SplittableRandom rng = new SplittableRandom(seed * 97);
        Params p = params(policy, perturbed, perTask, seed++);
        Tensor obs = uniform(rng, -1, 1, TASKS, ROWS, OBS);
        Tensor act = actions(policy, rng);
        Tensor coef = uniform(rng, -2, 2, TASKS, ROWS, 1);
        Tensor kw = uniform(rng, 0.1, 1, TASKS, ROWS, 1);
        Params v = like(p, rng, 1.0);

        assertClose(tapeFisher(policy, p, obs, kw, v), Curvatures.fisher(policy, p, obs, kw).apply(v), what + " Fisher");

        Params vars = p.asVariables();
        Params g = Params.of(vars.names(), Grad.grad(reinforce(policy, vars, obs, act, coef), vars.list(), true));
        Params hv = Params.of(vars.names(), Grad.grad(g.dot(v), vars.list(), false));
        Curvatures.InnerHessian h = Curvatures.reinforce(policy, p, obs, act, coef);
        assertClose(g.detach(), h.gradient(), what + " inner gradient");
        assertClose(hv, h.apply(v), what + " inner Hessian-vector product");
      }
    }
  }

  @Test
  void when_gaussian_tanh_expect_the_tapes_products() {
    checkAll(gaussian("tanh"));
  }

  @Test
  void when_categorical_tanh_expect_the_tapes_products() {
    checkAll(categorical("tanh"));
  }

  @Test
  void when_relu_expect_the_tapes_products() {
    checkAll(gaussian("relu"));
    checkAll(categorical("relu"));
  }

  @Test
  void when_the_policy_is_deterministic_expect_a_clear_refusal() {
    Policy det = Policies.create(new PolicySpec("deterministic-mlp", new int[] {4}, "tanh", 1.0, 1e-6),
        Box.of(1, -1, 1), Box.of(1, -1, 1));
    Params p = det.init(new SplittableRandom(1), DataType.DOUBLE);
    Tensor obs = Tensor.of(new double[] {0.5}, DataType.DOUBLE, 1, 1, 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Curvatures.fisher(det, p, obs, obs));
    assertTrue(e.getMessage().contains("deterministic-mlp"), e.getMessage());
  }
}
