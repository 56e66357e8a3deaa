package io.maml4j.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.policy.ConvSpec;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.vision.FewShotClassification;
import io.maml4j.vision.ImageClass;
import io.maml4j.vision.Pretraining;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The classification protocol and its baselines on a tiny, easy data set: the numbers are
 * accuracies, reproducible, and fine-tuning from scratch or from a pretrained body learns.
 */
class FewShotProtocolTest {
  private static final DataType F64 = DataType.DOUBLE;

  /**
   * 18 classes of 6x6 images, 10 examples each: class c lights one of 9 2x2 squares, as a solid
   * square (c < 9) or its top row only, plus noise; classes 0-11 train, 12-14 valid, 15-17 test.
   */
  private static List<ImageClass> data() {
    SplittableRandom rng = new SplittableRandom(3);
    List<ImageClass> out = new ArrayList<>();
    for (int c = 0; c < 18; c++) {
      byte[] px = new byte[10 * 36];
      for (int i = 0; i < 10; i++) {
        for (int p = 0; p < 36; p++) {
          int r = p / 6;
          int q = p % 6;
          boolean on = r / 2 == (c % 9) / 3 && q / 2 == (c % 9) % 3 && (c < 9 || r % 2 == 0);
          px[i * 36 + p] = (byte) ((on ? 200 : 0) + rng.nextInt(40));
        }
      }
      out.add(new ImageClass("c" + c, "g", c < 12 ? "train" : c < 15 ? "valid" : "test", 6, 6, px));
    }
    return out;
  }

  private static final PolicySpec NET = PolicySpec.convClassifier(new ConvSpec(new int[] {8}, 3, "max", true));

  private static EvalConfig config(int tasks, int steps, double lr) {
    return new EvalConfig(tasks, 40, steps, 1, lr, 0.99, 1.0);
  }

  @Test
  void when_fine_tuning_from_scratch_expect_reproducible_accuracies_that_rise_above_chance() {
    FewShotClassification test = new FewShotClassification("toy", data(), "test", 3, 2, 3);
    Policy p = Policies.create(NET, test.observationSpace(), test.actionSpace());
    Params init = p.init(new SplittableRandom(1), F64);
    Curve a = FewShotProtocol.curve(FewShotProtocol.evaluator(test, config(12, 10, 0.4), F64), "scratch", p, init);
    Curve b = FewShotProtocol.curve(FewShotProtocol.evaluator(test, config(12, 10, 0.4), F64), "scratch", p, init);
    assertEquals(11, a.taskReturns().length);
    for (int s = 0; s <= 10; s++) {
      assertArrayEquals(a.taskReturns()[s], b.taskReturns()[s]);
      for (double x : a.taskReturns()[s]) {
        // 9 query images per task: an accuracy is a multiple of 1/9.
        assertTrue(x >= 0 && x <= 1 + 1e-12 && Math.abs(x * 9 - Math.round(x * 9)) < 1e-9, "accuracy " + x);
      }
    }
    assertTrue(a.mean(10) >= 0.6, "after 10 steps from scratch: " + a.mean(10) + " (chance 1/3)");
    assertTrue(a.mean(10) > a.mean(0) + 0.2, a.mean(0) + " -> " + a.mean(10));
  }

  @Test
  void when_pretraining_on_all_train_classes_expect_it_learns_and_a_fresh_head_fine_tunes() {
    FewShotClassification train = new FewShotClassification("toy", data(), "train", 3, 2, 3);
    Pretraining.Result r = Pretraining.train(NET, train, new Pretraining.Config(150, 24, 0.01, 1), F64, s -> { });
    assertEquals(12, r.policy().actionSpace().flatSize() > 0 ? ((io.maml4j.env.Discrete) r.policy().actionSpace()).n()
        : -1);
    double late = mean(r.accuracies(), 130, 150);
    assertTrue(r.accuracies()[0] <= 0.4 && late >= 0.9, "pretraining minibatch accuracy " + r.accuracies()[0] + " -> "
        + late + " (chance 1/12)");
    assertTrue(mean(r.losses(), 130, 150) < 0.5 * r.losses()[0], "cross-entropy " + r.losses()[0] + " -> "
        + mean(r.losses(), 130, 150));
    FewShotClassification test = train.withSplit("test");
    Policy p = Policies.create(NET, test.observationSpace(), test.actionSpace());
    Params start = Pretraining.withHead(r.params(), p, new SplittableRandom(2), F64);
    for (String n : start.names()) {
      if (!Pretraining.HEAD.contains(n)) {
        assertArrayEquals(r.params().get(n).toDoubles(), start.get(n).toDoubles(), n);
      }
    }
    assertEquals(3, start.get("head.bias").shape()[1]);
    Curve c = FewShotProtocol.curve(FewShotProtocol.evaluator(test, config(12, 5, 0.1), F64), "pretrained", p, start);
    assertTrue(c.mean(5) >= 0.6, "pretrained then fine-tuned 5 steps: " + c.mean(5) + " (chance 1/3)");
  }

  @Test
  void when_tuning_a_step_size_expect_the_best_on_validation_tasks() {
    FewShotClassification valid = new FewShotClassification("toy", data(), "valid", 3, 2, 3);
    Policy p = Policies.create(NET, valid.observationSpace(), valid.actionSpace());
    Params init = p.init(new SplittableRandom(1), F64);
    EvalConfig cfg = config(6, 3, 0.4);
    double best = FewShotProtocol.bestStepSize(valid, cfg, F64, p, init, new double[] {1e-6, 0.4});
    assertEquals(0.4, best, "a step of 1e-6 cannot learn in 3 steps");
    assertThrows(IllegalArgumentException.class, () -> FewShotProtocol.bestStepSize(valid, cfg, F64, p, init,
        new double[0]));
  }

  @Test
  void when_a_pretrained_body_does_not_fit_expect_a_clear_error() {
    FewShotClassification test = new FewShotClassification("toy", data(), "test", 3, 2, 3);
    Policy p = Policies.create(NET, test.observationSpace(), test.actionSpace());
    Policy wider = Policies.create(PolicySpec.convClassifier(new ConvSpec(new int[] {4}, 3, "max", true)),
        test.observationSpace(), test.actionSpace());
    Params other = wider.init(new SplittableRandom(1), F64);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Pretraining.withHead(other, p, new SplittableRandom(2), F64));
    assertTrue(e.getMessage().startsWith("pretrained parameter block0.conv.weight has shape [4, 1, 3, 3], the network"
        + " needs [8, 1, 3, 3]"), e.getMessage());
  }

  private static double mean(double[] x, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += x[i];
    }
    return s / (to - from);
  }
}
