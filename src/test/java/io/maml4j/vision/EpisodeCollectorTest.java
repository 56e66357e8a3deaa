package io.maml4j.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.Fields;
import io.maml4j.meta.Adaptation;
import io.maml4j.meta.Batch;
import io.maml4j.meta.InnerLoop;
import io.maml4j.meta.MamlAdam;
import io.maml4j.meta.MetaLearner;
import io.maml4j.meta.TaskChannel;
import io.maml4j.meta.TaskLoss;
import io.maml4j.meta.TaskWork;
import io.maml4j.optim.Adam;
import io.maml4j.policy.ConvSpec;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Meta-training adapts on a task's support set and takes the outer loss on a disjoint query set. */
class EpisodeCollectorTest {
  /**
   * 8 classes of 4 examples of 2x2 pixels: pixel 0 names the class, pixel 1 the example, so an
   * image is identified by its first two pixels. With 1 shot and 2 queries of 4 examples, two
   * independent draws share an image of a class with probability 1/2 + 1/4.
   */
  private static List<ImageClass> data() {
    List<ImageClass> out = new ArrayList<>();
    for (int c = 0; c < 8; c++) {
      byte[] px = new byte[4 * 4];
      for (int i = 0; i < 4; i++) {
        px[i * 4] = (byte) (10 * c + 5);
        px[i * 4 + 1] = (byte) (10 * i + 5);
        px[i * 4 + 2] = (byte) 200;
      }
      out.add(new ImageClass("c" + c, "g", c < 6 ? "train" : "test", 2, 2, px));
    }
    return out;
  }

  private static TrainConfig config(int fastBatch) {
    return TrainConfig.defaults().merge(Fields.parse("t", "{\"meta_optimizer\": \"adam\", \"meta_lr\": 0.01,"
        + " \"loss\": \"cross-entropy\", \"meta_batch_size\": 6, \"fast_batch_size\": " + fastBatch + ","
        + " \"fast_lr\": 0.4, \"num_batches\": 3, \"dtype\": \"float64\"}"));
  }

  /** MAML with Adam that records the batches the trainer hands each task's work. */
  private static final class Recording implements MetaLearner {
    final MamlAdam inner;
    // Read inside the work: the iteration's arena frees the batches after it.
    final List<long[]> rows = Collections.synchronizedList(new ArrayList<>());
    final List<List<Set<String>>> seen = Collections.synchronizedList(new ArrayList<>());

    Recording(MamlAdam inner) {
      this.inner = inner;
    }

    @Override
    public InnerLoop innerLoop() {
      return inner.innerLoop();
    }

    @Override
    public boolean secondOrder() {
      return inner.secondOrder();
    }

    @Override
    public TaskWork taskWork(Params theta, Adaptation adaptation, Batch train, Batch valid) {
      rows.add(new long[] {train.observations().shape()[1], valid.observations().shape()[1]});
      seen.add(List.of(images(train), images(valid)));
      return inner.taskWork(theta, adaptation, train, valid);
    }

    @Override
    public StepResult step(Params theta, TaskChannel tasks) {
      return inner.step(theta, tasks);
    }
  }

  /** The images of a one-task batch, by (class pixel, example pixel), with their labels. */
  private static Set<String> images(Batch b) {
    double[] x = b.observations().toDoubles();
    double[] y = b.actions().toDoubles();
    Set<String> out = new HashSet<>();
    for (int i = 0; i < y.length; i++) {
      out.add(Math.round(x[i * 4] * 255) + "/" + Math.round(x[i * 4 + 1] * 255));
    }
    return out;
  }

  @Test
  void when_meta_training_classification_expect_query_sets_disjoint_from_support_sets() {
    FewShotClassification d = new FewShotClassification("toy", data(), "train", 3, 1, 2);
    Policy p = Policies.create(PolicySpec.convClassifier(new ConvSpec(new int[] {2}, 3, "max", true)),
        d.observationSpace(), d.actionSpace());
    TrainConfig cfg = config(3);
    Recording learner = new Recording(new MamlAdam(p, TaskLoss.CROSS_ENTROPY, cfg.maml(), new Adam(cfg.metaLr())));
    Trainer trainer = new Trainer(d, p, cfg, learner, Trainer.local(2));
    trainer.run(trainer.initialParams(), 0, 0, List.of());
    assertEquals(3 * 6, learner.seen.size());
    for (int i = 0; i < learner.seen.size(); i++) {
      Set<String> support = learner.seen.get(i).get(0);
      Set<String> query = learner.seen.get(i).get(1);
      assertEquals(3, learner.rows.get(i)[0], "support rows: N x K");
      assertEquals(6, learner.rows.get(i)[1], "query rows: N x Q");
      assertEquals(3, support.size());
      assertEquals(6, query.size());
      for (String s : support) {
        assertFalse(query.contains(s), "image " + s + " is in the support and the query set");
      }
    }
  }

  /** The toy 3-way 1-shot distribution, a tiny conv classifier, its collector and one task's θ. */
  private record Collecting(FewShotClassification d, Policy p, EpisodeCollector c, Params theta) {}

  private static Collecting collecting() {
    FewShotClassification d = new FewShotClassification("toy", data(), "train", 3, 1, 2);
    Policy p = Policies.create(PolicySpec.convClassifier(new ConvSpec(new int[] {2}, 3, "max", true)),
        d.observationSpace(), d.actionSpace());
    EpisodeCollector c = new EpisodeCollector(d, TaskLoss.CROSS_ENTROPY, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
    Params theta = p.init(new java.util.SplittableRandom(1), org.nd4j.linalg.api.buffer.DataType.DOUBLE)
        .repeatPerTask(1);
    return new Collecting(d, p, c, theta);
  }

  @Test
  void when_evaluating_expect_the_query_of_the_support_batch_and_no_other() {
    Collecting f = collecting();
    FewShotClassification d = f.d();
    Policy p = f.p();
    EpisodeCollector c = f.c();
    Params theta = f.theta();
    var task = d.sample(new java.util.SplittableRandom(2));
    var support = c.collect(p, theta, task, new java.util.SplittableRandom(3));
    Batch q = c.query(support);
    Set<String> qs = images(q);
    assertEquals(6, qs.size());
    for (String s : images(support.batch())) {
      assertFalse(qs.contains(s), s);
    }
    assertTrue(Double.isFinite(support.score()) && support.score() < 0);
    var other = new io.maml4j.work.BatchCollector.Collected(support.batch().task(0), support.scores(), support.steps());
    assertThrows(IllegalArgumentException.class, () -> c.query(other));
  }

  @Test
  void when_fast_batch_size_is_not_ways_times_shots_expect_one_clear_error() {
    FewShotClassification d = new FewShotClassification("toy", data(), "train", 3, 1, 2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.collector(d, config(4)));
    assertEquals("toy: fast_batch_size must be ways x shots = 3 (the support set), got 4", e.getMessage());
  }

  /**
   * The collector's lifecycle per stream: support, then the same task's query, then nothing. The
   * two ways to break it each get one clear error instead of a fresh episode silently standing in
   * for the query set.
   */
  @Test
  void when_a_stream_is_collected_out_of_its_lifecycle_expect_one_clear_error() {
    Collecting f = collecting();
    FewShotClassification d = f.d();
    Policy p = f.p();
    EpisodeCollector c = f.c();
    Params theta = f.theta();
    List<io.maml4j.env.Task> tasks = d.sample(2, new java.util.SplittableRandom(2));
    assertFalse(tasks.get(0).equals(tasks.get(1)));

    java.util.SplittableRandom stream = new java.util.SplittableRandom(3);
    Batch support = c.collect(p, theta, tasks.get(0), stream).batch();
    Batch query = c.collect(p, theta, tasks.get(0), stream).batch();
    assertEquals(3, support.observations().shape()[1]);
    assertEquals(6, query.observations().shape()[1]);
    IllegalStateException third = assertThrows(IllegalStateException.class,
        () -> c.collect(p, theta, tasks.get(0), stream));
    assertEquals("toy: collect 0's stream has already given its support set and its query set; a task's stream is"
        + " collected twice, support before adaptation and then query, and a new episode needs a new stream",
        third.getMessage());

    java.util.SplittableRandom other = new java.util.SplittableRandom(4);
    c.collect(p, theta, tasks.get(0), other);
    IllegalStateException wrongTask = assertThrows(IllegalStateException.class,
        () -> c.collect(p, theta, tasks.get(1), other));
    assertEquals("toy: collect 0's stream drew its support set for task " + tasks.get(0).params() + ", so its next"
        + " collect is that task's query set, got task " + tasks.get(1).params(), wrongTask.getMessage());
  }
}
