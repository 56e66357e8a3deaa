package io.maml4j.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.Fields;
import io.maml4j.policy.ConvSpec;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.IterationMetrics;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import io.maml4j.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The trainer meta-trains a conv-classifier on N-way K-shot tasks with the cross-entropy. */
class FewShotTrainingTest {
  /** 12 classes of 6x6 images: class c is a bright 2x2 square at one of 9 places, plus noise. */
  private static List<ImageClass> data() {
    SplittableRandom rng = new SplittableRandom(3);
    List<ImageClass> out = new ArrayList<>();
    for (int c = 0; c < 12; c++) {
      byte[] px = new byte[8 * 36];
      for (int i = 0; i < 8; i++) {
        for (int p = 0; p < 36; p++) {
          int r = p / 6;
          int q = p % 6;
          boolean on = r / 2 == (c % 9) / 3 && q / 2 == (c % 9) % 3 && (c < 9 || r % 2 == 0);
          px[i * 36 + p] = (byte) ((on ? 200 : 0) + rng.nextInt(40));
        }
      }
      out.add(new ImageClass("c" + c, "g", c < 8 ? "train" : "test", 6, 6, px));
    }
    return out;
  }

  private static TrainConfig config(String loss) {
    return TrainConfig.defaults().merge(Fields.parse("t", "{\"meta_optimizer\": \"adam\", \"meta_lr\": 0.01,"
        + " \"loss\": \"" + loss + "\", \"meta_batch_size\": 4, \"fast_batch_size\": 6, \"fast_lr\": 0.4,"
        + " \"num_batches\": 4, \"dtype\": \"float64\"}"));
  }

  private static List<IterationMetrics> run(Trainer trainer) {
    List<IterationMetrics> out = new ArrayList<>();
    trainer.run(trainer.initialParams(), 0, 0, List.of(new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics m, Params t) {
        out.add(m);
      }
    }));
    return out;
  }

  @Test
  void when_meta_training_with_cross_entropy_expect_finite_reproducible_losses_and_mse_refused() {
    FewShotClassification d = new FewShotClassification("toy", data(), "train", 3, 2, 2);
    Policy p = Policies.create(PolicySpec.convClassifier(new ConvSpec(new int[] {4}, 3, "max", true)),
        d.observationSpace(), d.actionSpace());
    List<IterationMetrics> a = run(new Trainer(d, p, config("cross-entropy")));
    List<IterationMetrics> b = run(new Trainer(d, p, config("cross-entropy")));
    assertEquals(4, a.size());
    for (int i = 0; i < 4; i++) {
      double loss = a.get(i).lossBefore();
      assertTrue(loss > 0 && Double.isFinite(loss), "query cross-entropy " + loss);
      assertEquals(loss, b.get(i).lossBefore());
    }
    IllegalArgumentException mse = assertThrows(IllegalArgumentException.class, () -> new Trainer(d, p, config("mse")));
    assertEquals("toy is a supervised task: its train section needs \"loss\": \"cross-entropy\" and"
        + " \"meta_optimizer\": \"adam\", got loss \"mse\"", mse.getMessage());
  }
}
