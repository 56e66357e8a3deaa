package io.maml4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maml4j.envs.Navigation2D;
import io.maml4j.meta.TaskRequest;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.Trainer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/** The held-out tasks as units on an executor's threads give the task-by-task figures and parameters, bit for bit. */
class EvaluationUnitsTest {
  private static final Navigation2D NAV = new Navigation2D(-0.5, 0.5, 10);
  private static final EvalConfig CFG = new EvalConfig(5, 40, 2, 3, 0.1, 0.99, 1.0);

  static void assertSameResult(Evaluator.Result expected, Evaluator.Result got) {
    assertEquals(expected.curve().label(), got.curve().label());
    double[][] e = expected.curve().taskReturns();
    double[][] g = got.curve().taskReturns();
    assertEquals(e.length, g.length);
    for (int s = 0; s < e.length; s++) {
      assertArrayEquals(e[s], g[s], 0, "returns after " + s + " steps");
    }
    assertEquals(expected.stepParams().size(), got.stepParams().size());
    for (int s = 0; s < expected.stepParams().size(); s++) {
      Params a = expected.stepParams().get(s);
      Params b = got.stepParams().get(s);
      for (String n : a.names()) {
        assertArrayEquals(a.get(n).shape(), b.get(n).shape(), n);
        assertEquals(a.get(n).dataType(), b.get(n).dataType(), n);
      }
      assertArrayEquals(a.flat(), b.flat(), 0, "parameters after " + s + " steps");
    }
  }

  @Test
  void when_heldOutTasksRunOnOneOrTwoThreads_expect_theTaskByTaskResult() {
    Policy policy = Policies.create(new PolicySpec("gaussian-mlp", new int[] {16, 16}, "tanh", 1.0, 1e-6),
        NAV.observationSpace(), NAV.actionSpace());
    Params theta = policy.init(new SplittableRandom(9), DataType.FLOAT);
    Evaluator ev = new Evaluator(NAV, CFG, DataType.FLOAT);
    Evaluator.Result direct = ev.fineTune("m", policy, theta);
    for (int threads : new int[] {1, 2}) {
      EvaluationUnits units = new EvaluationUnits(ev, policy, theta);
      assertEquals(5, units.tasks());
      assertSameResult(direct, units.fineTune("m", theta, Trainer.local(threads)));
    }
  }

  @Test
  void when_askedAnotherOpOrTask_expect_oneClearError() {
    Policy policy = Policies.create(PolicySpec.defaultGaussian(), NAV.observationSpace(), NAV.actionSpace());
    Params theta = policy.init(new SplittableRandom(1), DataType.FLOAT);
    EvaluationUnits units = new EvaluationUnits(new Evaluator(NAV, CFG, DataType.FLOAT), policy, theta);
    assertEquals("test task 5 outside the 5 held-out tasks",
        assertThrows(IllegalArgumentException.class, () -> units.open(0, 5)).getMessage());
    assertEquals("an evaluation unit answers 'eval.finetune', not 'trpo.setup'",
        assertThrows(IllegalArgumentException.class,
            () -> units.open(0, 0).handle(new TaskRequest("trpo.setup", theta.flat()))).getMessage());
  }
}
