package io.maml4j.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Params;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Adam against a scalar transcription of Kingma and Ba (2015), Algorithm 1. */
class AdamTest {
  private static Params params(double... v) {
    return Params.of(List.of("w"), List.of(Tensor.variable(Tensor.of(v, DataType.DOUBLE, v.length).value())));
  }

  @Test
  void when_stepping_expect_algorithm_1_exactly() {
    double lr = 0.1;
    double b1 = 0.8;
    double b2 = 0.95;
    double eps = 1e-3;
    Adam adam = new Adam(lr, b1, b2, eps);
    double[] x = {1.0, -2.0, 0.5};
    double[] m = new double[3];
    double[] v = new double[3];
    Params theta = params(x);
    double[][] grads = {{0.3, -1.0, 0.0}, {0.1, 2.0, -0.5}, {-0.4, 0.2, 0.25}, {1e-4, -3.0, 0.7}};
    for (int t = 1; t <= grads.length; t++) {
      double[] g = grads[t - 1];
      theta = adam.step(theta, params(g));
      for (int i = 0; i < 3; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        double mHat = m[i] / (1 - Math.pow(b1, t));
        double vHat = v[i] / (1 - Math.pow(b2, t));
        x[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
      }
      double[] got = theta.get("w").toDoubles();
      for (int i = 0; i < 3; i++) {
        assertEquals(x[i], got[i], 1e-14, "step " + t + " element " + i);
      }
    }
    assertEquals(grads.length, adam.steps());
  }

  @Test
  void when_taking_the_first_step_expect_a_move_of_lr_against_the_gradient_sign() {
    Adam adam = new Adam(0.01);
    Params theta = params(0.0, 0.0);
    double[] got = adam.step(theta, params(5.0, -1e-3)).get("w").toDoubles();
    assertEquals(-0.01, got[0], 1e-9);
    assertEquals(0.01, got[1], 1e-7);
    assertEquals(0.0, theta.get("w").toDoubles()[0], "theta must not be modified");
  }

  @Test
  void when_minimising_a_quadratic_expect_convergence_and_reset_to_restart() {
    Adam adam = new Adam(0.05);
    Params theta = params(3.0, -4.0);
    for (int i = 0; i < 2000; i++) {
      double[] x = theta.get("w").toDoubles();
      theta = adam.step(theta, params(2 * (x[0] - 1), 2 * (x[1] + 2)));
    }
    double[] x = theta.get("w").toDoubles();
    assertEquals(1.0, x[0], 1e-3);
    assertEquals(-2.0, x[1], 1e-3);
    adam.reset();
    assertEquals(0, adam.steps());
    Adam copy = adam.copy();
    assertEquals(adam.lr(), copy.lr());
    double[] first = copy.step(params(0.0), params(1.0)).get("w").toDoubles();
    assertEquals(-0.05, first[0], 1e-9);
  }

  @Test
  void when_configured_badly_or_fed_mismatched_shapes_expect_clear_errors() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> new Adam(-1)).getMessage().contains("-1"));
    assertThrows(IllegalArgumentException.class, () -> new Adam(0.1, 1.0, 0.9, 1e-8));
    Adam adam = new Adam(0.1);
    assertThrows(IllegalArgumentException.class, () -> adam.step(params(1, 2), params(1, 2, 3)));
  }

  @Test
  void when_restoring_a_saved_state_expect_the_same_next_steps() {
    Adam a = new Adam(0.1);
    Params theta = params(1.0, 2.0);
    theta = a.step(theta, params(0.5, -0.5));
    Adam.State saved = a.state();
    Params next = a.step(theta, params(0.2, 0.1));
    Adam b = new Adam(0.1);
    b.restore(saved);
    assertEquals(1, b.steps());
    double[] x = next.get("w").toDoubles();
    double[] y = b.step(theta, params(0.2, 0.1)).get("w").toDoubles();
    assertEquals(x[0], y[0], 0.0);
    assertEquals(x[1], y[1], 0.0);
  }
}
