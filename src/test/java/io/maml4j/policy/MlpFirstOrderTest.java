package io.maml4j.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.MlpBlocks;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The MLP policies' first-order gradients inside {@link Tape#firstOrder}: one recorded node of
 * blocked passes ({@link io.maml4j.autodiff.MlpValues#recorded}) in float32, against the layered
 * graph's gradients of the same loss, for several row blocks and a partial one, both heads, tanh
 * and ReLU, shared and per-task parameters.
 */
class MlpFirstOrderTest {
  private static final int TASKS = 3;

  private static Policy gaussian(String nl) {
    return Policies.create(new PolicySpec("gaussian-mlp", new int[] {24, 16}, nl, 0.8, 0.05), Box.of(5, -1, 1),
        Box.of(2, -1, 1));
  }

  private static Policy categorical(String nl) {
    return Policies.create(new PolicySpec("categorical-mlp", new int[] {24, 16}, nl, 1.0, 1e-6), Box.of(5, -1, 1),
        new Discrete(4));
  }

  private static Params params(Policy pol, boolean perTask, long seed, DataType type) {
    Params theta = pol.init(new SplittableRandom(seed), DataType.DOUBLE);
    SplittableRandom rng = new SplittableRandom(seed + 1);
    Params p = perTask ? theta.repeatPerTask(TASKS) : theta;
    return p.map(t -> {
      double[] v = t.toDoubles();
      for (int i = 0; i < v.length; i++) {
        v[i] += 0.3 * rng.nextGaussian();
      }
      return Tensor.of(v, type, t.shape());
    });
  }

  private static Tensor uniform(SplittableRandom rng, double lo, double hi, DataType type, long... shape) {
    int n = 1;
    for (long s : shape) {
      n *= (int) s;
    }
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      v[i] = lo + (hi - lo) * rng.nextDouble();
    }
    return Tensor.of(v, type, shape);
  }

  /** -Σ coef · log π(a | s): REINFORCE's loss, its output gradient nonlinear in the network's outputs. */
  private static Tensor loss(Policy pol, Params at, Tensor obs, Tensor actions, Tensor coef) {
    return pol.forward(at, obs).logProb(actions).mul(coef).sum().neg();
  }

  private static List<Tensor> gradient(Policy pol, Params p, Tensor obs, Tensor actions, Tensor coef,
      boolean firstOrder) {
    Params at = p.detach().asVariables();
    if (!firstOrder) {
      return Grad.grad(loss(pol, at, obs, actions, coef), at.list(), false);
    }
    try (Tape.Scope s = Tape.firstOrder()) {
      return Grad.grad(loss(pol, at, obs, actions, coef), at.list(), false);
    }
  }

  private static void check(Policy pol, int rows) {
    for (boolean perTask : new boolean[] {false, true}) {
      String what = pol.spec().type() + " " + pol.spec().nonlinearity() + (perTask ? " per task" : " shared") + ", "
          + rows + " rows";
      SplittableRandom rng = new SplittableRandom(rows + (perTask ? 1 : 0));
      Params p64 = params(pol, perTask, 9, DataType.DOUBLE);
      Tensor obs = uniform(rng, -2, 2, DataType.DOUBLE, TASKS, rows, 5);
      Tensor actions;
      if (pol instanceof CategoricalMlpPolicy) {
        double[] a = new double[TASKS * rows];
        for (int i = 0; i < a.length; i++) {
          a[i] = rng.nextInt(4);
        }
        actions = Tensor.of(a, DataType.DOUBLE, TASKS, rows, 1);
      } else {
        actions = uniform(rng, -1.5, 1.5, DataType.DOUBLE, TASKS, rows, 2);
      }
      Tensor coef = uniform(rng, -2, 2, DataType.DOUBLE, TASKS, rows, 1);
      DataType f = DataType.FLOAT;
      Params p32 = p64.map(t -> Tensor.constant(t.value().castTo(f)));
      Tensor obs32 = Tensor.constant(obs.value().castTo(f));
      Tensor act32 = Tensor.constant(actions.value().castTo(f));
      Tensor coef32 = Tensor.constant(coef.value().castTo(f));
      try (Arena a = Arena.open()) {
        List<Tensor> exact = gradient(pol, p64, obs, actions, coef, false);
        long before = MlpBlocks.backwards();
        List<Tensor> fused = gradient(pol, p32, obs32, act32, coef32, true);
        assertEquals(before + 1, MlpBlocks.backwards(), what + ": one blocked reverse pass");
        List<Tensor> layered = gradient(pol, p32, obs32, act32, coef32, false);
        assertEquals(before + 1, MlpBlocks.backwards(), what + ": none outside the scope");
        for (int i = 0; i < exact.size(); i++) {
          String name = what + " " + p64.names().get(i);
          double[] e = exact.get(i).toDoubles();
          assertArrayEquals(exact.get(i).shape(), fused.get(i).shape(), name + ": shape");
          double scale = 0;
          for (double x : e) {
            scale = Math.max(scale, Math.abs(x));
          }
          assertTrue(scale > 1e-3, name + ": gradient large enough to compare, max " + scale);
          assertArrayEquals(e, fused.get(i).toDoubles(), 2e-5 * scale, name + ": blocked against float64");
          assertArrayEquals(layered.get(i).toDoubles(), fused.get(i).toDoubles(), 2e-5 * scale,
              name + ": blocked against the layered float32 graph");
        }
        // Float64 is not blocked: inside the scope the layered graph, bit for bit.
        List<Tensor> inside64 = gradient(pol, p64, obs, actions, coef, true);
        assertEquals(before + 1, MlpBlocks.backwards(), what + ": float64 takes the layered graph");
        for (int i = 0; i < exact.size(); i++) {
          assertArrayEquals(exact.get(i).toDoubles(), inside64.get(i).toDoubles(), what + ": float64 unchanged");
        }
      }
    }
  }

  @Test
  void when_first_order_in_float32_expect_the_blocked_node_to_give_the_layered_gradients() {
    // 300 rows: two full blocks of 128 and a partial one; 3 rows: one partial block.
    for (int rows : new int[] {300, 3}) {
      check(gaussian("tanh"), rows);
      check(gaussian("relu"), rows);
      check(categorical("tanh"), rows);
      check(categorical("relu"), rows);
    }
  }

  @Test
  void when_a_blocked_node_is_differentiated_with_a_graph_expect_a_clear_refusal() {
    Policy pol = gaussian("tanh");
    Params p = params(pol, true, 3, DataType.FLOAT).asVariables();
    SplittableRandom rng = new SplittableRandom(4);
    Tensor obs = uniform(rng, -1, 1, DataType.FLOAT, TASKS, 10, 5);
    Tensor act = uniform(rng, -1, 1, DataType.FLOAT, TASKS, 10, 2);
    Tensor coef = uniform(rng, -1, 1, DataType.FLOAT, TASKS, 10, 1);
    try (Arena a = Arena.open()) {
      Tensor l;
      try (Tape.Scope s = Tape.firstOrder()) {
        l = loss(pol, p, obs, act, coef);
      }
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> Grad.grad(l, p.list(), true));
      assertTrue(e.getMessage().contains("first derivatives only"), e.getMessage());
    }
  }
}
