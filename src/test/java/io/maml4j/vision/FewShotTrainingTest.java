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

  /**
   * First-order MAML on the conv classifier: the task's meta-gradient is the gradient of the query
   * loss at the adapted parameters, ∇θ' L(θ'), while second order adds a term that changes it;
   * both train with finite losses.
   */
  @Test
  void when_first_order_on_the_conv_classifier_expect_the_query_gradient_at_the_adapted_parameters() {
    FewShotClassification d = new FewShotClassification("toy", data(), "train", 3, 2, 2);
    Policy p = Policies.create(PolicySpec.convClassifier(new ConvSpec(new int[] {4}, 3, "max", true)),
        d.observationSpace(), d.actionSpace());
    TrainConfig fo = config("cross-entropy").toBuilder().firstOrder(true).build();
    TrainConfig so = config("cross-entropy");
    org.nd4j.linalg.api.buffer.DataType f64 = org.nd4j.linalg.api.buffer.DataType.DOUBLE;
    Params theta = p.init(new SplittableRandom(5), f64);
    EpisodeCollector c = new EpisodeCollector(d, io.maml4j.meta.TaskLoss.CROSS_ENTROPY, f64);
    io.maml4j.env.Task task = d.sample(new SplittableRandom(6));
    SplittableRandom stream = new SplittableRandom(7);
    io.maml4j.meta.Batch support = c.collect(p, theta.repeatPerTask(1), task, stream).batch();
    io.maml4j.meta.Batch query = c.collect(p, theta.repeatPerTask(1), task, stream).batch();
    double[][] grads = new double[2][];
    for (int k = 0; k < 2; k++) {
      io.maml4j.meta.MetaLearner learner = Trainer.metaLearner(p, k == 0 ? fo : so);
      assertEquals(k == 1, learner.secondOrder());
      Params vars = theta.asVariables();
      io.maml4j.meta.Adaptation a = learner.innerLoop().adapt(vars.repeatPerTask(1), support, learner.secondOrder());
      grads[k] = learner.taskWork(vars, a, support, query)
          .handle(new io.maml4j.meta.TaskRequest(io.maml4j.meta.MamlAdam.SETUP, theta.flat())).vector();
      if (k == 0) {
        Params adapted = a.params().detach().asVariables();
        io.maml4j.autodiff.Tensor loss = io.maml4j.meta.Losses.crossEntropy(p, adapted, query);
        double[] direct = Params.of(adapted.names(), io.maml4j.autodiff.Grad.grad(loss, adapted.list(), false)).flat();
        assertEquals(direct.length, grads[0].length);
        for (int i = 0; i < direct.length; i++) {
          assertEquals(direct[i], grads[0][i], 1e-10 * (1 + Math.abs(direct[i])), "component " + i);
        }
      }
    }
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < grads[0].length; i++) {
      diff += (grads[0][i] - grads[1][i]) * (grads[0][i] - grads[1][i]);
      norm += grads[1][i] * grads[1][i];
    }
    assertTrue(diff > 1e-6 * norm, "the second-order term changes the meta-gradient");
    List<IterationMetrics> m = run(new Trainer(d, p, fo));
    assertEquals(4, m.size());
    for (IterationMetrics x : m) {
      assertTrue(Double.isFinite(x.lossBefore()) && x.lossBefore() > 0, "first-order query loss " + x.lossBefore());
    }
  }

  /**
   * A task's work keeps no graph after its reply (it rebuilds the inner step with its graph in a
   * scratch arena), and that changes no number: on a tiny conv classifier in float32, the query
   * loss and meta-gradient equal, bit for bit, differentiating through an adaptation recorded with
   * its graph, at first and second order.
   */
  @Test
  void when_each_task_rebuilds_its_graph_in_scratch_expect_the_recorded_graphs_numbers_bit_for_bit() {
    FewShotClassification d = new FewShotClassification("toy", data(), "train", 3, 2, 2);
    Policy p = Policies.create(PolicySpec.convClassifier(new ConvSpec(new int[] {4}, 3, "max", true)),
        d.observationSpace(), d.actionSpace());
    org.nd4j.linalg.api.buffer.DataType f32 = org.nd4j.linalg.api.buffer.DataType.FLOAT;
    Params theta = p.init(new SplittableRandom(8), f32);
    FewShotClassification.Episode e = d.episode(d.sample(2, new SplittableRandom(9)), new SplittableRandom(10));
    io.maml4j.meta.Batch support = io.maml4j.meta.Batch.supervised(e.support(), f32);
    io.maml4j.meta.Batch query = io.maml4j.meta.Batch.supervised(e.query(), f32);
    for (boolean firstOrder : new boolean[] {false, true}) {
      io.maml4j.meta.MetaLearner learner = Trainer.metaLearner(p,
          config("cross-entropy").toBuilder().firstOrder(firstOrder).dtype("float32").build());
      for (int t = 0; t < 2; t++) {
        double[] expected;
        double expectedLoss;
        try (io.maml4j.autodiff.Arena a = io.maml4j.autodiff.Arena.open()) {
          Params vars = theta.detach().asVariables();
          io.maml4j.meta.Adaptation ad = learner.innerLoop().adapt(vars.repeatPerTask(1), support.task(t), !firstOrder);
          io.maml4j.autodiff.Tensor loss = io.maml4j.meta.Losses.crossEntropy(p, ad.params(), query.task(t));
          expected = Params.of(vars.names(), io.maml4j.autodiff.Grad.grad(loss, vars.list(), false)).flat();
          expectedLoss = loss.item();
        }
        io.maml4j.meta.TaskReply r = learner.onBatches(theta, support.task(t), query.task(t))
            .handle(new io.maml4j.meta.TaskRequest(io.maml4j.meta.MamlAdam.SETUP, theta.flat()));
        assertEquals(expectedLoss, r.values()[0], "first order " + firstOrder + ", task " + t + ": query loss");
        org.junit.jupiter.api.Assertions.assertArrayEquals(expected, r.vector(), "first order " + firstOrder + ", task " + t);
      }
    }
  }
}
