package io.maml4j.meta;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.envs.Sinusoid;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.Examples;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** MamlConfig, Batch.supervised, TaskLoss, MamlAdam's checks and the losses against hand values. */
class MetaPartsTest {
  private static void rejects(String message, Runnable r) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, r::run).getMessage());
  }

  @Test
  void when_config_is_at_its_bounds_expect_acceptance_and_past_them_one_clear_error() {
    // Every bound itself is accepted.
    new MamlConfig(1e-300, 0, false, 1e-300, 1, 0, 1, 1e-9);
    new MamlConfig(1, 0, true, 1, 1, 0, 1, 1 - 1e-9);
    rejects("fast_lr must be greater than 0, got 0.0", () -> new MamlConfig(0, 1, false, 0.01, 10, 0, 15, 0.8));
    rejects("fast_lr must be greater than 0, got Infinity",
        () -> new MamlConfig(Double.POSITIVE_INFINITY, 1, false, 0.01, 10, 0, 15, 0.8));
    rejects("num_steps must be at least 0, got -1", () -> new MamlConfig(0.1, -1, false, 0.01, 10, 0, 15, 0.8));
    rejects("max_kl must be greater than 0, got 0.0", () -> new MamlConfig(0.1, 1, false, 0, 10, 0, 15, 0.8));
    rejects("max_kl must be greater than 0, got NaN", () -> new MamlConfig(0.1, 1, false, Double.NaN, 10, 0, 15, 0.8));
    rejects("cg_iters must be at least 1, got 0", () -> new MamlConfig(0.1, 1, false, 0.01, 0, 0, 15, 0.8));
    rejects("cg_damping must be at least 0, got -1.0E-9", () -> new MamlConfig(0.1, 1, false, 0.01, 10, -1e-9, 15, 0.8));
    rejects("cg_damping must be at least 0, got Infinity",
        () -> new MamlConfig(0.1, 1, false, 0.01, 10, Double.POSITIVE_INFINITY, 15, 0.8));
    rejects("ls_max_steps must be at least 1, got 0", () -> new MamlConfig(0.1, 1, false, 0.01, 10, 0, 0, 0.8));
    rejects("ls_backtrack_ratio must be in (0, 1), got 0.0", () -> new MamlConfig(0.1, 1, false, 0.01, 10, 0, 15, 0));
    rejects("ls_backtrack_ratio must be in (0, 1), got 1.0", () -> new MamlConfig(0.1, 1, false, 0.01, 10, 0, 15, 1));
    assertEquals(new MamlConfig(0.1, 1, false, 0.01, 10, 1e-5, 15, 0.8), MamlConfig.defaults());
  }

  @Test
  void when_examples_make_a_batch_expect_unit_advantages_and_weights_one_over_k() {
    List<io.maml4j.env.Task> tasks = List.of(Sinusoid.task(1, 0), Sinusoid.task(2, 0));
    Examples ex = new Examples(tasks, 4, 1, 1, new double[] {1, 2, 3, 4, 5, 6, 7, 8}, new double[8]);
    Batch b = Batch.supervised(ex, DataType.DOUBLE);
    assertArrayEquals(new long[] {2, 4, 1}, b.observations().shape());
    assertArrayEquals(new double[] {1, 1, 1, 1, 1, 1, 1, 1}, b.advantages().toDoubles(), 0);
    assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25}, b.weights().toDoubles(), 0);
    assertEquals(2, b.tasks());
    assertEquals(2, b.totalTasks());
    Batch half = b.slice(1, 2);
    assertEquals(1, half.tasks());
    assertEquals(2, half.totalTasks());
    assertArrayEquals(new double[] {5, 6, 7, 8}, half.observations().toDoubles(), 0);
    Batch second = b.task(1);
    assertEquals(1, second.tasks());
    assertEquals(1, second.totalTasks());
    assertArrayEquals(new double[] {5, 6, 7, 8}, second.observations().toDoubles(), 0);
  }

  @Test
  void when_losses_are_named_or_checked_expect_the_right_ones() {
    assertSame(TaskLoss.REINFORCE, TaskLoss.named("reinforce"));
    assertSame(TaskLoss.MSE, TaskLoss.named("mse"));
    rejects("loss must be one of [reinforce, mse, cross-entropy, lvc, dice], got l1", () -> TaskLoss.named("l1"));
    Policy p = Policies.create(new PolicySpec("deterministic-mlp", new int[] {3}, "relu", 1, 1e-6),
        Box.of(1, -5, 5), Box.of(1, -5, 5));
    Adam adam = new Adam(0.01);
    assertEquals(0, new MamlAdam(new InnerLoop(p, TaskLoss.MSE, 0.1, 0), TaskLoss.MSE, false, adam).innerSteps());
    assertEquals(3, new MamlAdam(new InnerLoop(p, TaskLoss.MSE, 0.1, 3), TaskLoss.MSE, false, adam).innerSteps());
    assertSame(adam, MamlAdam.jointTraining(p, TaskLoss.MSE, adam).optimizer());
    assertEquals(0, MamlAdam.jointTraining(p, TaskLoss.MSE, adam).innerSteps());
    rejects("inner steps must be at least 0, got -1", () -> new InnerLoop(p, TaskLoss.MSE, 0.1, -1));
    rejects("inner step sizes must be at least 0, got [-0.1]", () -> new InnerLoop(p, TaskLoss.MSE, -0.1, 1));
    rejects("inner step sizes must be at least 0, got [0.1, NaN]",
        () -> new InnerLoop(p, TaskLoss.MSE, new double[] {0.1, Double.NaN}, 1));
    rejects("need at least one inner step size", () -> new InnerLoop(p, TaskLoss.MSE, new double[0], 1));
    // Step s uses α_s and the last α repeats; step(s) is one step of that size.
    InnerLoop schedule = new InnerLoop(p, TaskLoss.MSE, new double[] {0.4, 0.2}, 3);
    assertEquals(0.4, schedule.stepSize(0));
    assertEquals(0.2, schedule.stepSize(1));
    assertEquals(0.2, schedule.stepSize(5));
    assertEquals(new InnerLoop(p, TaskLoss.MSE, 0.2, 1), schedule.step(2));
    assertEquals(new InnerLoop(p, TaskLoss.MSE, new double[] {0.4, 0.2}, 0), schedule.withSteps(0));
  }

  @Test
  void when_surrogate_and_kl_are_averaged_over_all_tasks_expect_the_hand_sums() {
    // One task of a two-task meta-batch (a thread's slice): sums divide by the total, 2.
    Policy p = Policies.create(new PolicySpec("gaussian-mlp", new int[0], "tanh", 1, 1e-6), Box.of(1, -5, 5),
        Box.of(1, -5, 5));
    var params = p.init(new java.util.SplittableRandom(1), DataType.DOUBLE);
    Tensor obs = Tensor.of(new double[] {0.5, -1}, DataType.DOUBLE, 1, 2, 1);
    Tensor act = Tensor.of(new double[] {0.2, 0.3}, DataType.DOUBLE, 1, 2, 1);
    Batch b = new Batch(obs, act, Tensor.of(new double[] {2, -1}, DataType.DOUBLE, 1, 2, 1),
        Tensor.of(new double[] {0.5, 0.5}, DataType.DOUBLE, 1, 2, 1), 1, 2);
    var dist = p.forward(params, obs);
    Tensor logp = dist.logProb(act);
    double[] lp = logp.toDoubles();
    // Old log-probabilities lower by log 2 and log 4: ratios 2 and 4.
    Tensor old = Tensor.of(new double[] {lp[0] - Math.log(2), lp[1] - Math.log(4)}, DataType.DOUBLE, 1, 2, 1);
    assertEquals(-(2 * 2 * 0.5 + 4 * -1 * 0.5) / 2, Losses.surrogate(dist, old, b).item(), 1e-12);
    assertEquals(-(lp[0] * 2 * 0.5 + lp[1] * -1 * 0.5), Losses.reinforce(p, params, b).item(), 1e-12);
    assertEquals(0.0, Losses.kl(dist, dist.detach(), b).item(), 1e-15);
  }
}
