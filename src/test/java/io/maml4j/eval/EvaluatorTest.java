package io.maml4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.maml4j.autodiff.Grad;
import io.maml4j.autodiff.Tensor;
import io.maml4j.baseline.Advantages;
import io.maml4j.baseline.LinearFeatureBaseline;
import io.maml4j.env.Task;
import io.maml4j.envs.Navigation2D;
import io.maml4j.meta.Batch;
import io.maml4j.meta.Losses;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.Episodes;
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
    Evaluator.Result r = new Evaluator(nav, cfg, DataType.DOUBLE).fineTune("m", policy, theta);
    Curve c = r.curve();
    assertEquals(2, c.steps());
    assertEquals(3, c.tasks());
    assertEquals(3, r.stepParams().size());
    for (int s = 0; s <= 2; s++) {
      Episodes ep = r.stepEpisodes().get(s);
      assertEquals(4, ep.perTask());
      // Reported returns are the mean undiscounted return of each task's episodes at that step.
      assertArrayEquals(ep.taskReturns(), c.taskReturns()[s], 0);
      assertEquals(Stats.mean(ep.taskReturns()), c.mean(s), 1e-12);
    }
    // Step 0 starts every task from θ.
    for (String n : theta.names()) {
      double[] t = theta.get(n).toDoubles();
      double[] p = r.stepParams().get(0).get(n).toDoubles();
      for (int i = 0; i < p.length; i++) {
        assertEquals(t[i % t.length], p[i], 0);
      }
    }
    // Step s: θ_{s+1} = θ_s - lr_s ∇ L_REINFORCE(θ_s) on the step-s episodes, lr = 0.3 then 0.15.
    double[] lrs = {0.3, 0.15};
    for (int s = 0; s < 2; s++) {
      Episodes ep = r.stepEpisodes().get(s);
      Batch b = Batch.of(ep, Advantages.compute(ep, 0.99, 1.0, new LinearFeatureBaseline(), true), DataType.DOUBLE);
      Params at = r.stepParams().get(s).asVariables();
      List<Tensor> g = Grad.grad(Losses.reinforce(policy, at, b), at.list(), false);
      for (int k = 0; k < g.size(); k++) {
        String n = at.names().get(k);
        double[] before = at.get(n).toDoubles();
        double[] grad = g.get(k).toDoubles();
        double[] after = r.stepParams().get(s + 1).get(n).toDoubles();
        for (int i = 0; i < after.length; i++) {
          assertEquals(before[i] - lrs[s] * grad[i], after[i], 1e-12, n + "[" + i + "] after step " + (s + 1));
        }
      }
    }
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
