package io.maml4j.experiments;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.envs.Sinusoid;
import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The few-shot regression test protocol on a small fixed case. */
class FewShotRegressionTest {
  private final Sinusoid sinusoid = Sinusoid.standard();
  private final Policy model = Policies.create(new PolicySpec("deterministic-mlp", new int[] {10}, "relu", 1, 1e-6),
      sinusoid.observationSpace(), sinusoid.actionSpace());

  @Test
  void when_fine_tuning_expect_per_step_errors_that_follow_plain_gradient_descent() {
    FewShotRegression test = new FewShotRegression(sinusoid, 4, 5, 50, 7);
    assertEquals(5, test.shots());
    Params theta = model.init(new SplittableRandom(1), DataType.DOUBLE);
    double[][] e = test.errors(model, theta, 0.02, 3);
    assertEquals(4, e.length);
    assertEquals(4, e[0].length);
    // Same tasks and data for the same seed.
    assertArrayEquals(e[2], new FewShotRegression(sinusoid, 4, 5, 50, 7).errors(model, theta, 0.02, 3)[2]);
    // Predictions at step 0 are the unadapted model's, the same for every task.
    double[][][] p = test.predictions(model, theta, 0.02, 3, new double[] {-1.0, 0.0, 1.0});
    assertEquals(4, p.length);
    double[] direct = model.forward(theta, Tensor.of(new double[] {-1.0, 0.0, 1.0}, DataType.DOUBLE, 1, 3, 1)).mode();
    for (int t = 0; t < 4; t++) {
      assertArrayEquals(direct, p[0][t], 1e-12);
    }
    // Adapted predictions differ between tasks.
    assertTrue(Math.abs(p[3][0][1] - p[3][1][1]) > 1e-6);
    // Step 0 is the unadapted model: its error equals a direct evaluation.
    double[][] zero = test.errors(model, theta, 0.02, 0);
    assertArrayEquals(e[0], zero[0], 1e-12);
  }

  @Test
  void when_summarising_expect_mean_and_the_protocols_student_t_interval() {
    double[][] mc = FewShotRegression.meanAndCi(new double[][] {{1, 2, 3, 4}});
    assertEquals(2.5, mc[0][0], 1e-12);
    double sd = Math.sqrt((2.25 + 0.25 + 0.25 + 2.25) / 3);
    // t_{0.975} with 3 degrees of freedom, as every evaluation reports, not the normal 1.96.
    assertEquals(3.182446305284263 * sd / 2, mc[0][1], 1e-12);
  }
}
