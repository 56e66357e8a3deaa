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

  private static Params cast(Params p, DataType type) {
    return p.map(t -> Tensor.constant(t.value().castTo(type)));
  }

  private static Tensor cast(Tensor t, DataType type) {
    return Tensor.constant(t.value().castTo(type));
  }

  /** Max |e - a| over max |e|, over all parameters. */
  private static double relativeError(Params expected, Params actual) {
    double scale = 0;
    double err = 0;
    for (String n : expected.names()) {
      assertArrayEquals(expected.get(n).shape(), actual.get(n).shape(), n + " shape");
      double[] e = expected.get(n).toDoubles();
      double[] a = actual.get(n).toDoubles();
      for (int i = 0; i < e.length; i++) {
        scale = Math.max(scale, Math.abs(e[i]));
        err = Math.max(err, Math.abs(e[i] - a[i]));
      }
    }
    assertTrue(scale > 0, "the reference product is zero");
    return err / scale;
  }

  /**
   * Float32 products, through the row-blocked passes and through whole-batch passes, against the
   * float64 products (equal to the tape's, above) on the same inputs, with rows spanning several
   * blocks and a partial one; every head and both orders, tanh and ReLU, shared and per task.
   */
  private void checkBlocked(Policy policy, int rows) {
    for (boolean perTask : new boolean[] {false, true}) {
      String what = policy.spec().type() + " " + policy.spec().nonlinearity() + (perTask ? " per task" : " shared");
      SplittableRandom rng = new SplittableRandom(rows);
      Params p = params(policy, true, perTask, 7);
      Tensor obs = uniform(rng, -1, 1, TASKS, rows, OBS);
      Tensor act = policy instanceof CategoricalMlpPolicy ? actionsOf(rng, rows) : uniform(rng, -1.5, 1.5, TASKS, rows, 2);
      Tensor coef = uniform(rng, -2, 2, TASKS, rows, 1);
      Tensor kw = uniform(rng, 0.1, 1, TASKS, rows, 1);
      Params v = like(p, rng, 1.0);
      Params f64 = Curvatures.fisher(policy, p, obs, kw).apply(v);
      Params h64 = Curvatures.reinforce(policy, p, obs, act, coef).apply(v);
      DataType f = DataType.FLOAT;
      Params g64 = Curvatures.reinforce(policy, p, obs, act, coef).gradient();
      Params[] fisher = new Params[2];
      Params[] hvp = new Params[2];
      Params[] grad = new Params[2];
      for (int blocked = 0; blocked < 2; blocked++) {
        Curvatures.BLOCKED.set(blocked == 1);
        try {
          long before = io.maml4j.autodiff.MlpBlocks.passes();
          long backwards = io.maml4j.autodiff.MlpBlocks.backwards();
          fisher[blocked] = Curvatures.fisher(policy, cast(p, f), cast(obs, f), cast(kw, f)).apply(cast(v, f));
          Curvatures.InnerHessian inner = Curvatures.reinforce(policy, cast(p, f), cast(obs, f), cast(act, f),
              cast(coef, f));
          grad[blocked] = inner.gradient();
          hvp[blocked] = inner.apply(cast(v, f));
          long ran = io.maml4j.autodiff.MlpBlocks.passes() - before;
          assertTrue(ran == (blocked == 1 ? 2 : 0), what + ": " + ran + " blocked passes with blocking "
              + (blocked == 1 ? "on" : "off"));
          // The inner loss's gradient, and the δ and eh its HVP reads, from one blocked reverse pass.
          long back = io.maml4j.autodiff.MlpBlocks.backwards() - backwards;
          assertTrue(back == blocked, what + ": " + back + " blocked reverse passes with blocking "
              + (blocked == 1 ? "on" : "off"));
        } finally {
          Curvatures.BLOCKED.remove();
        }
      }
      for (int blocked = 0; blocked < 2; blocked++) {
        String how = what + (blocked == 1 ? " blocked" : " whole-batch");
        double ef = relativeError(f64, fisher[blocked]);
        double eh = relativeError(h64, hvp[blocked]);
        assertTrue(ef < 2e-5, how + " float32 Fisher product off float64's by " + ef);
        assertTrue(eh < 2e-5, how + " float32 inner Hessian-vector product off float64's by " + eh);
        double eg = relativeError(g64, grad[blocked]);
        assertTrue(eg < 2e-5, how + " float32 inner gradient off float64's by " + eg);
      }
      assertTrue(relativeError(fisher[0], fisher[1]) < 1e-5, what + " Fisher: blocked against whole-batch");
      assertTrue(relativeError(hvp[0], hvp[1]) < 1e-5, what + " HVP: blocked against whole-batch");
    }
  }

  private static Tensor actionsOf(SplittableRandom rng, int rows) {
    double[] a = new double[TASKS * rows];
    for (int i = 0; i < a.length; i++) {
      a[i] = rng.nextInt(3);
    }
    return Tensor.of(a, DataType.DOUBLE, TASKS, rows, 1);
  }

  @Test
  void when_float32_expect_blocked_passes_within_rounding_of_float64() {
    // 600 rows: full blocks and a partial one (blocks of 128 or 256); 3 rows: one partial block.
    for (int rows : new int[] {600, 3}) {
      checkBlocked(gaussian("tanh"), rows);
      checkBlocked(categorical("tanh"), rows);
      checkBlocked(gaussian("relu"), rows);
      checkBlocked(categorical("relu"), rows);
    }
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
