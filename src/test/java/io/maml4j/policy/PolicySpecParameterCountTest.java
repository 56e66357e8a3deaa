package io.maml4j.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.google.gson.JsonParser;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.Box;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The parameter count a policy spec implies is checked before any tensor is made. */
class PolicySpecParameterCountTest {
  private static Fields fields(String json) {
    return new Fields("p.json", JsonParser.parseString(json).getAsJsonObject());
  }

  @Test
  void when_hidden_layers_would_overflow_expect_one_line_naming_hidden_sizes() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> PolicySpec.read(fields("{\"hidden_sizes\": [65536, 65536]}")));
    assertEquals("p.json: field 'hidden_sizes': expected layers of at most 10000000 parameters in all, got"
        + " [65536, 65536] (4295229441 parameters)", e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new PolicySpec("gaussian-mlp", new int[] {65536, 65536}, "tanh", 1.0, 1e-6));
  }

  @Test
  void when_counting_parameters_expect_the_network_s_exact_number() {
    PolicySpec spec = PolicySpec.defaultGaussian();
    Policy p = Policies.create(spec, Box.of(2, -1, 1),
        Box.of(2, -1, 1));
    assertEquals(p.init(new SplittableRandom(1), DataType.DOUBLE).size(), spec.parameterCount(2, 2));
  }

  @Test
  void when_inputs_make_the_network_too_large_expect_a_refusal_and_no_overflow() {
    PolicySpec spec = new PolicySpec("gaussian-mlp", new int[] {65536}, "tanh", 1.0, 1e-6);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> spec.requireParameterCount(1_000, 2));
    assertEquals("hidden sizes [65536] with 1000 inputs and 2 outputs make 65732612 parameters, more than the"
        + " limit of 10000000", e.getMessage());
    assertEquals(Long.MAX_VALUE, new PolicySpec("gaussian-mlp", new int[] {8}, "tanh", 1.0, 1e-6)
        .parameterCount(Long.MAX_VALUE / 2, 2));
  }
}
