package io.maml4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Task;
import io.maml4j.envs.Navigation2D;
import io.maml4j.meta.Batch;
import io.maml4j.meta.Losses;
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
}
