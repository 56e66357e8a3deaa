package io.maml4j.policy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Tensor;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** Params, PolicySpec, Policies, PointMass and the deterministic policy. */
class PolicyPartsTest {
  private static Tensor t(double[] v, long... shape) {
    return Tensor.of(v, DataType.DOUBLE, shape);
  }

  @Test
  void when_params_are_combined_expect_named_tensor_by_tensor_results() {
    Params p = Params.of(List.of("w", "b"), List.of(t(new double[] {1, 2, 3, 4}, 2, 2), t(new double[] {5, 6}, 1, 2)));
    Params q = p.map(x -> x.scale(2));
    assertEquals(List.of("w", "b"), p.names());
    assertEquals(6, p.size());
    // Sum of elementwise products over both tensors: 2 * (1 + 4 + 9 + 16 + 25 + 36).
    assertEquals(182, p.dot(q).item(), 0);
    assertArrayEquals(new double[] {15, 18}, p.zip(q, Tensor::add).get("b").toDoubles(), 0);
    Params r = p.repeatPerTask(3);
    assertArrayEquals(new long[] {3, 2, 2}, r.get("w").shape());
    assertArrayEquals(new double[] {5, 6, 5, 6, 5, 6}, r.get("b").toDoubles(), 0);
    assertTrue(p.asVariables().get("w").requiresGrad());
    assertFalse(p.asVariables().detach().get("w").requiresGrad());
    assertSame(p.get("w").value(), p.asVariables().get("w").value());
    assertEquals(2, p.list().size());
    IllegalArgumentException missing = assertThrows(IllegalArgumentException.class, () -> p.get("x"));
    assertEquals("no parameter named 'x', have [w, b]", missing.getMessage());
    IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
        () -> Params.of(List.of("a"), List.of()));
    assertEquals("1 names for 0 tensors", sizes.getMessage());
  }

  @Test
  void when_spec_is_built_or_read_expect_validation_and_a_json_round_trip() {
    PolicySpec g = PolicySpec.defaultGaussian();
    assertEquals("gaussian-mlp", g.type());
    assertArrayEquals(new int[] {64, 64}, g.hiddenSizes());
    assertEquals("categorical-mlp", PolicySpec.defaultCategorical().type());
    assertEquals(g, PolicySpec.read(Fields.parse("p.json", g.toString())));
    assertEquals(g.hashCode(), PolicySpec.read(Fields.parse("p.json", "{}")).hashCode());
    assertNotEquals(g, PolicySpec.defaultCategorical());
    assertNotEquals(g, new PolicySpec("gaussian-mlp", new int[] {64}, "tanh", 1.0, 1e-6));
    assertNotEquals(g, new PolicySpec("gaussian-mlp", new int[] {64, 64}, "relu", 1.0, 1e-6));
    assertNotEquals(g, new PolicySpec("gaussian-mlp", new int[] {64, 64}, "tanh", 0.5, 1e-6));
    assertNotEquals(g, new PolicySpec("gaussian-mlp", new int[] {64, 64}, "tanh", 1.0, 1e-3));
    int[] hidden = {3};
    PolicySpec s = new PolicySpec("gaussian-mlp", hidden, "tanh", 1.0, 1.0);
    hidden[0] = 9;
    s.hiddenSizes()[0] = 9;
    assertArrayEquals(new int[] {3}, s.hiddenSizes());
    for (Runnable bad : List.<Runnable>of(
        () -> new PolicySpec("mlp", new int[] {3}, "tanh", 1, 1e-6),
        () -> new PolicySpec("gaussian-mlp", new int[] {3}, "sigmoid", 1, 1e-6),
        () -> new PolicySpec("gaussian-mlp", new int[] {0}, "tanh", 1, 1e-6),
        () -> new PolicySpec("gaussian-mlp", new int[] {3}, "tanh", 0, 1e-6),
        () -> new PolicySpec("gaussian-mlp", new int[] {3}, "tanh", 1, 0),
        () -> new PolicySpec("gaussian-mlp", new int[] {3}, "tanh", 0.1, 0.2))) {
      assertThrows(IllegalArgumentException.class, bad::run);
    }
    ConfigException e = assertThrows(ConfigException.class,
        () -> PolicySpec.read(Fields.parse("p.json", "{\"init_std\": 0.1, \"min_std\": 0.2}")));
    assertEquals("p.json: need 0 < min_std <= init_std, got 0.2 and 0.1", e.getMessage());
    ConfigException typo = assertThrows(ConfigException.class,
        () -> PolicySpec.read(Fields.parse("p.json", "{\"hiden_sizes\": [3]}")));
    assertTrue(typo.getMessage().startsWith("p.json: unknown field 'hiden_sizes'"), typo.getMessage());
  }

  @Test
  void when_policies_are_created_expect_the_spec_type_and_space_checks() {
    Box box = Box.of(2, -1, 1);
    Policy g = Policies.create(PolicySpec.defaultGaussian(), box, box);
    assertInstanceOf(GaussianMlpPolicy.class, g);
    assertSame(box, g.observationSpace());
    assertSame(box, g.actionSpace());
    assertEquals(PolicySpec.defaultGaussian(), g.spec());
    assertInstanceOf(CategoricalMlpPolicy.class, Policies.create(PolicySpec.defaultCategorical(), box, new Discrete(3)));
    PolicySpec det = new PolicySpec("deterministic-mlp", new int[] {4}, "relu", 1, 1e-6);
    assertInstanceOf(DeterministicMlpPolicy.class, Policies.create(det, box, box));
    IllegalArgumentException obs = assertThrows(IllegalArgumentException.class,
        () -> Policies.create(PolicySpec.defaultGaussian(), new Discrete(3), box));
    assertEquals("gaussian-mlp needs a Box observation space, got Discrete[n=3]", obs.getMessage());
    IllegalArgumentException act = assertThrows(IllegalArgumentException.class,
        () -> Policies.create(PolicySpec.defaultGaussian(), box, new Discrete(3)));
    assertEquals("gaussian-mlp needs a Box action space, got Discrete[n=3]", act.getMessage());
  }

  @Test
  void when_policy_is_deterministic_expect_a_point_mass_at_the_prediction() {
    PolicySpec spec = new PolicySpec("deterministic-mlp", new int[] {4}, "relu", 1, 1e-6);
    DeterministicMlpPolicy pol = (DeterministicMlpPolicy) Policies.create(spec, Box.of(1, -5, 5), Box.of(1, -5, 5));
    Params theta = pol.init(new SplittableRandom(3), DataType.DOUBLE);
    assertEquals(4, theta.size() - 4 - 1 - 4);
    Tensor x = t(new double[] {0.5, -2}, 1, 2, 1);
    double[] y = pol.predict(theta, x).toDoubles();
    Distribution d = pol.forward(theta, x);
    assertArrayEquals(y, d.mode(), 0);
    assertArrayEquals(y, d.sample(new SplittableRandom(1)), 0);
    assertArrayEquals(y, d.detach().mode(), 0);
    assertArrayEquals(y, ((PointMass) d).value().toDoubles(), 0);
    assertThrows(UnsupportedOperationException.class, () -> d.logProb(x));
    assertThrows(UnsupportedOperationException.class, () -> d.kl(d));
    assertThrows(IllegalArgumentException.class, () -> new PointMass(t(new double[] {1, 2}, 1, 2)));
  }
}
