package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The cross-entropy task loss and the accuracy beside it, against hand-computed values. */
class CrossEntropyTest {
  private static Tensor t(double[] v, long... shape) {
    return Tensor.of(v, DataType.DOUBLE, shape);
  }

  // A linear classifier with 1 input and 3 labels: logits = x * w + b.
  private final Policy linear = Policies.create(new PolicySpec("categorical-mlp", new int[0], "tanh", 1, 1e-6),
      Box.of(1, -5, 5), new Discrete(3));
  private final Params theta = Params.of(List.of("layer0.weight", "layer0.bias"),
      List.of(t(new double[] {1, 0, -1}, 1, 3), t(new double[] {0, 0.5, 0}, 1, 3)));

  private static double logSoftmax(double[] z, int k) {
    double s = 0;
    for (double x : z) {
      s += Math.exp(x);
    }
    return z[k] - Math.log(s);
  }

  @Test
  void when_two_tasks_are_scored_expect_the_sum_of_their_mean_negative_log_likelihoods() {
    // Task 0: x = 2 (logits 2, 0.5, -2) labelled 0, x = -1 (-1, 0.5, 1) labelled 1.
    // Task 1: x = 0 (0, 0.5, 0) labelled 2, x = 3 (3, 0.5, -3) labelled 0.
    Batch b = new Batch(t(new double[] {2, -1, 0, 3}, 2, 2, 1), t(new double[] {0, 1, 2, 0}, 2, 2, 1),
        t(new double[] {1, 1, 1, 1}, 2, 2, 1), t(new double[] {0.5, 0.5, 0.5, 0.5}, 2, 2, 1), 2);
    double want = -0.5 * (logSoftmax(new double[] {2, 0.5, -2}, 0) + logSoftmax(new double[] {-1, 0.5, 1}, 1))
        - 0.5 * (logSoftmax(new double[] {0, 0.5, 0}, 2) + logSoftmax(new double[] {3, 0.5, -3}, 0));
    assertEquals(want, Losses.crossEntropy(linear, theta, b).item(), 1e-12);
    assertEquals(want, TaskLoss.named("cross-entropy").apply(linear, theta, b).item(), 1e-12);
    assertSame(TaskLoss.CROSS_ENTROPY, TaskLoss.named("cross-entropy"));
    // Predictions 0, 2 (wrong), 1 (wrong), 0: task accuracies 1/2 and 1/2.
    assertEquals(0.5, Losses.accuracy(linear, theta, b), 1e-12);
  }

  @Test
  void when_the_policy_acts_in_a_box_expect_the_loss_refused_naming_the_policy() {
    Policy regressor = Policies.create(new PolicySpec("deterministic-mlp", new int[0], "relu", 1, 1e-6),
        Box.of(1, -5, 5), Box.of(1, -5, 5));
    Batch b = new Batch(t(new double[] {1}, 1, 1, 1), t(new double[] {0}, 1, 1, 1), t(new double[] {1}, 1, 1, 1),
        t(new double[] {1}, 1, 1, 1), 1);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Losses.crossEntropy(regressor, regressor.init(new java.util.SplittableRandom(1), DataType.DOUBLE), b));
    assertEquals("the cross-entropy loss needs a policy over Discrete labels, got deterministic-mlp with actions "
        + Box.of(1, -5, 5), e.getMessage());
  }
}
