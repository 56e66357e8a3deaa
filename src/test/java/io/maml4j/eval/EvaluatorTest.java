package io.maml4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Task;
import io.maml4j.envs.Navigation2D;
import io.maml4j.meta.Batch;
import io.maml4j.meta.InnerLoop;
import io.maml4j.meta.Losses;
import io.maml4j.meta.TaskLoss;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The test protocol on a small fixed case: 3 tasks, 4 episodes, 2 steps, horizon 8, float64. */
class EvaluatorTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 8);
  private final Policy policy = Policies.create(
      new PolicySpec("gaussian-mlp", new int[] {6}, "tanh", 0.5, 1e-6), nav.observationSpace(), nav.actionSpace());
  private final EvalConfig cfg = new EvalConfig(3, 7, 2, 4, 0.3, 0.99, 1.0);
  private final Params theta = policy.init(new SplittableRandom(1), DataType.DOUBLE);

  @Test
  void when_fine_tuned_expect_reinforce_steps_of_alpha_then_half_alpha() {
    Evaluator ev = new Evaluator(nav, cfg, DataType.DOUBLE);
    Evaluator.Result r = ev.fineTune("m", policy, theta);
    Curve c = r.curve();
    assertEquals(2, c.steps());
    assertEquals(3, c.tasks());
    assertEquals(3, r.stepParams().size());
    List<Task> tasks = ev.testTasks();
    for (int i = 0; i < 3; i++) {
      Evaluator.TaskResult t = ev.fineTuneTask(policy, theta, tasks.get(i), i);
      for (int s = 0; s <= 2; s++) {
        // Reported returns are the score of the episodes sampled at that step, task by task.
        assertEquals(t.stepData().get(s).score(), c.taskReturns()[s][i], 0);
        assertEquals(4 * 8, t.stepData().get(s).batch().observations().size(1));
        assertArrayEquals(t.stepParams().get(s).flat(), slice(r.stepParams().get(s), i).flat(), 0);
      }
      // Step 0 starts from θ.
      assertArrayEquals(theta.flat(), t.stepParams().get(0).flat(), 0);
      // Step s: θ_{s+1} = θ_s - lr_s ∇ L_REINFORCE(θ_s) on the step-s batch, lr = 0.3 then 0.15.
      double[] lrs = {0.3, 0.15};
      for (int s = 0; s < 2; s++) {
        Batch b = t.stepData().get(s).batch();
        Params at = t.stepParams().get(s).asVariables();
        double[] grad = Params.of(at.names(), Grad.grad(Losses.reinforce(policy, at, b), at.list(), false)).flat();
        double[] before = at.flat();
        double[] after = t.stepParams().get(s + 1).flat();
        for (int j = 0; j < after.length; j++) {
          assertEquals(before[j] - lrs[s] * grad[j], after[j], 1e-12, "task " + i + " [" + j + "] after step " + (s + 1));
        }
      }
    }
  }

  @Test
  void when_other_tasks_are_evaluated_beside_a_task_expect_its_numbers_unchanged() {
    // Every task samples from its own stream: evaluating task 1 alone (at index 1) or among others
    // gives it the same numbers, which is what lets tasks run on any thread or machine.
    Evaluator ev = new Evaluator(nav, cfg, DataType.DOUBLE);
    Curve all = ev.fineTune("all", policy, theta).curve();
    Evaluator.TaskResult one = ev.fineTuneTask(policy, theta, ev.testTasks().get(1), 1);
    for (int s = 0; s <= 2; s++) {
      assertEquals(all.taskReturns()[s][1], one.scores()[s], 0);
    }
    assertNotEquals(all.taskReturns()[0][0], all.taskReturns()[0][1]);
  }

  @Test
  void when_a_scorer_is_given_expect_its_figure_recorded_after_each_step() {
    Scorer norm = (p, params, task, index, sampled) -> index * 1000 + params.flat()[0];
    Evaluator ev = new Evaluator(nav, cfg, new io.maml4j.work.RolloutCollector(nav, 4, 0.99, 1.0, DataType.DOUBLE),
        io.maml4j.meta.TaskLoss.REINFORCE, new double[] {0.3, 0.15}, norm);
    Evaluator.Result r = ev.fineTune("scored", policy, theta);
    for (int s = 0; s <= 2; s++) {
      for (int i = 0; i < 3; i++) {
        assertEquals(i * 1000 + slice(r.stepParams().get(s), i).flat()[0], r.curve().taskReturns()[s][i], 0);
      }
    }
  }

  private static Params slice(Params stacked, int i) {
    return stacked.map(t -> t.slice(i, i + 1));
  }

  @Test
  void when_seed_fixed_expect_same_tasks_and_numbers_for_every_run() {
    Evaluator a = new Evaluator(nav, cfg, DataType.DOUBLE);
    Evaluator b = new Evaluator(nav, cfg, DataType.DOUBLE);
    List<Task> ta = a.testTasks();
    assertEquals(ta, b.testTasks());
    Curve ca = a.fineTune("x", policy, theta).curve();
    Curve cb = b.fineTune("x", policy, theta).curve();
    for (int s = 0; s <= 2; s++) {
      assertArrayEquals(ca.taskReturns()[s], cb.taskReturns()[s], 0);
    }
    // Another test seed gives other tasks; the first tasks of a longer list are the same tasks.
    EvalConfig other = new EvalConfig(3, 8, 2, 4, 0.3, 0.99, 1.0);
    assertNotEquals(ta, new Evaluator(nav, other, DataType.DOUBLE).testTasks());
    EvalConfig more = new EvalConfig(5, 7, 2, 4, 0.3, 0.99, 1.0);
    assertEquals(ta, new Evaluator(nav, more, DataType.DOUBLE).testTasks().subList(0, 3));
  }

  @Test
  void when_zero_steps_expect_only_the_starting_return() {
    EvalConfig none = new EvalConfig(3, 7, 0, 4, 0.3, 0.99, 1.0);
    Curve c = new Evaluator(nav, none, DataType.DOUBLE).fineTune("x", policy, theta).curve();
    assertEquals(0, c.steps());
    assertEquals(3, c.taskReturns()[0].length);
  }

  @Test
  void when_the_run_adapts_with_dice_expect_the_same_episodes_before_the_step_and_dice_steps_of_the_inner_loop() {
    Evaluator reinforce = new Evaluator(nav, cfg, DataType.DOUBLE);
    Evaluator dice = new Evaluator(nav, cfg.withInnerEstimator("dice"), DataType.DOUBLE);
    assertEquals(reinforce.testTasks(), dice.testTasks());
    Task task = dice.testTasks().get(1);
    Evaluator.TaskResult r = reinforce.fineTuneTask(policy, theta, task, 1);
    Evaluator.TaskResult d = dice.fineTuneTask(policy, theta, task, 1);
    // Before the first step nothing depends on the estimator: same θ, same episodes, same score.
    assertEquals(r.scores()[0], d.scores()[0], 0);
    assertArrayEquals(r.stepData().get(0).batch().actions().toDoubles(), d.stepData().get(0).batch().actions().toDoubles(), 0);
    assertArrayEquals(r.stepData().get(0).batch().advantages().toDoubles(),
        d.stepData().get(0).batch().advantages().toDoubles(), 0);
    // Each step is InnerLoop's with the DiCE loss on that step's episodes (α 0.3, then 0.15) ...
    double[] lrs = {0.3, 0.15};
    for (int s = 0; s < 2; s++) {
      Batch b = d.stepData().get(s).batch();
      Params expected = new InnerLoop(policy, TaskLoss.DICE, lrs[s], 1).adapt(d.stepParams().get(s), b, false).params();
      assertArrayEquals(expected.flat(), d.stepParams().get(s + 1).flat(), 0, "DiCE step " + (s + 1));
    }
    // ... and the REINFORCE step on the same first episodes is the REINFORCE evaluation's, which
    // the DiCE step is not: the two part exactly at the first step.
    Params reinforceStep = new InnerLoop(policy, TaskLoss.REINFORCE, 0.3, 1)
        .adapt(d.stepParams().get(0), d.stepData().get(0).batch(), false).params();
    assertArrayEquals(r.stepParams().get(1).flat(), reinforceStep.flat(), 0);
    double[] a = r.stepParams().get(1).flat();
    double[] b = d.stepParams().get(1).flat();
    double diff = 0;
    for (int j = 0; j < a.length; j++) {
      diff = Math.max(diff, Math.abs(a[j] - b[j]));
    }
    assertTrue(diff > 1e-6, "DiCE and REINFORCE steps coincide: " + diff);
    assertNotEquals(r.scores()[1], d.scores()[1]);
  }

  @Test
  void when_the_estimator_is_lvc_expect_the_reinforce_evaluation_bit_for_bit() {
    // LVC's first derivative is REINFORCE's: ProMP and LVC runs are evaluated as before.
    Curve r = new Evaluator(nav, cfg, DataType.DOUBLE).fineTune("r", policy, theta).curve();
    Curve l = new Evaluator(nav, cfg.withInnerEstimator("lvc"), DataType.DOUBLE).fineTune("l", policy, theta).curve();
    for (int s = 0; s <= 2; s++) {
      assertArrayEquals(r.taskReturns()[s], l.taskReturns()[s], 0);
    }
  }

  @Test
  void when_the_estimator_is_unknown_expect_an_error_naming_the_choices() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> cfg.withInnerEstimator("dise"));
    assertEquals("inner_estimator must be one of [reinforce, lvc, dice], got dise", e.getMessage());
  }
}
