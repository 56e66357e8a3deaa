package io.maml4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.contract.EnvironmentContract;
import io.maml4j.env.Discrete;
import io.maml4j.env.Environment;
import io.maml4j.env.Task;
import io.maml4j.sampler.ExampleSampler;
import io.maml4j.sampler.Examples;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** N-way K-shot tasks over a small synthetic data set whose pixels name their class and example. */
class FewShotClassificationTest {
  /** 8 train, 3 valid and 5 test classes of 6 examples each; pixel 0 is the class, pixel 1 the example. */
  private static List<ImageClass> data() {
    List<ImageClass> out = new ArrayList<>();
    for (int c = 0; c < 16; c++) {
      byte[] px = new byte[6 * 4];
      for (int i = 0; i < 6; i++) {
        px[i * 4] = (byte) c;
        px[i * 4 + 1] = (byte) i;
        px[i * 4 + 2] = (byte) 200;
      }
      String split = c < 8 ? "train" : c < 11 ? "valid" : "test";
      out.add(new ImageClass("c" + c, "g" + c / 4, split, 2, 2, px));
    }
    return out;
  }

  private final FewShotClassification fiveWay = new FewShotClassification("toy", data(), "train", 5, 2, 3);

  private static int classOf(double[] image, int row) {
    return (int) Math.round(image[row * 4] * 255);
  }

  private static int exampleOf(double[] image, int row) {
    return (int) Math.round(image[row * 4 + 1] * 255);
  }

  @Test
  void when_tasks_are_sampled_expect_distinct_classes_of_the_split_in_varying_label_order() {
    SplittableRandom rng = new SplittableRandom(1);
    Set<List<Integer>> orders = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      double[] ids = fiveWay.sample(rng).vector(FewShotClassification.CLASSES);
      Set<Integer> distinct = new HashSet<>();
      List<Integer> order = new ArrayList<>();
      for (double id : ids) {
        assertTrue(id >= 0 && id < 8, "class " + id + " is not a train class");
        distinct.add((int) id);
        order.add((int) id);
      }
      assertEquals(5, distinct.size());
      orders.add(order);
    }
    assertTrue(orders.size() > 40, "label orders repeat: " + orders.size() + " distinct of 50");
    assertEquals(fiveWay.sample(new SplittableRandom(3)), fiveWay.sample(new SplittableRandom(3)));
    assertEquals(new Discrete(5), fiveWay.actionSpace());
    assertArrayEquals(new int[] {1, 2, 2}, ((io.maml4j.env.Box) fiveWay.observationSpace()).shape());
  }

  @Test
  void when_splits_are_taken_expect_disjoint_class_sets() {
    FewShotClassification twoWayValid = new FewShotClassification("toy", data(), "valid", 2, 2, 3);
    FewShotClassification test = fiveWay.withSplit("test");
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6, 7}, fiveWay.pool());
    assertArrayEquals(new int[] {8, 9, 10}, twoWayValid.pool());
    assertArrayEquals(new int[] {11, 12, 13, 14, 15}, test.pool());
    IllegalArgumentException few = assertThrows(IllegalArgumentException.class, () -> fiveWay.withSplit("valid"));
    assertEquals("toy: split valid has 3 classes, fewer than 5 ways", few.getMessage());
    IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
        () -> new FewShotClassification("toy", data(), "train", 5, 4, 3));
    assertEquals("toy: class c0 has 6 examples, fewer than 4 shots + 3 queries", small.getMessage());
    // A task of the train split is refused by the test split's environments.
    Task trainTask = fiveWay.sample(new SplittableRandom(2));
    IllegalArgumentException leak = assertThrows(IllegalArgumentException.class, () -> test.make(trainTask));
    assertTrue(leak.getMessage().matches("toy task class [0-7]\\.0 is not a class of split test"), leak.getMessage());
  }

  @Test
  void when_examples_are_drawn_expect_every_label_k_times_with_its_own_class_and_no_repeats() {
    Task task = FewShotClassification.task(List.of(3, 0, 7, 1, 5));
    Examples ex = new ExampleSampler(fiveWay).sample(List.of(task), 10, new SplittableRandom(4));
    double[] x = ex.inputs();
    double[] y = ex.targets();
    Set<String> seen = new HashSet<>();
    int[] ids = {3, 0, 7, 1, 5};
    for (int i = 0; i < 10; i++) {
      assertEquals(i % 5, (int) y[i]);
      assertEquals(ids[(int) y[i]], classOf(x, i));
      assertTrue(seen.add(classOf(x, i) + "/" + exampleOf(x, i)), "example repeated at row " + i);
      // target() recovers the label from the image alone.
      assertEquals(y[i], fiveWay.target(task, java.util.Arrays.copyOfRange(x, i * 4, i * 4 + 4))[0]);
    }
    IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
        () -> fiveWay.target(task, data().get(2).image(0)));
    assertEquals("toy input is not an image of the task's classes [3, 0, 7, 1, 5]", other.getMessage());
  }

  @Test
  void when_an_episode_is_drawn_expect_k_support_and_q_query_per_class_and_no_image_in_both() {
    SplittableRandom rng = new SplittableRandom(5);
    List<Task> tasks = fiveWay.sample(3, rng);
    FewShotClassification.Episode ep = fiveWay.episode(tasks, rng);
    assertEquals(10, ep.support().perTask());
    assertEquals(15, ep.query().perTask());
    for (int t = 0; t < 3; t++) {
      double[] ids = tasks.get(t).vector(FewShotClassification.CLASSES);
      double[] sx = java.util.Arrays.copyOfRange(ep.support().inputs(), t * 40, (t + 1) * 40);
      double[] qx = java.util.Arrays.copyOfRange(ep.query().inputs(), t * 60, (t + 1) * 60);
      double[] sy = java.util.Arrays.copyOfRange(ep.support().targets(), t * 10, (t + 1) * 10);
      double[] qy = java.util.Arrays.copyOfRange(ep.query().targets(), t * 15, (t + 1) * 15);
      Set<String> support = new HashSet<>();
      for (int i = 0; i < 10; i++) {
        assertEquals(i % 5, (int) sy[i]);
        assertEquals((int) ids[(int) sy[i]], classOf(sx, i));
        support.add(classOf(sx, i) + "/" + exampleOf(sx, i));
      }
      assertEquals(10, support.size());
      for (int i = 0; i < 15; i++) {
        assertEquals(i % 5, (int) qy[i]);
        assertEquals((int) ids[(int) qy[i]], classOf(qx, i));
        assertTrue(!support.contains(classOf(qx, i) + "/" + exampleOf(qx, i)), "query image also in the support set");
      }
    }
  }

  @Test
  void when_an_episode_is_stepped_expect_reward_one_for_the_right_label_only() {
    Task task = FewShotClassification.task(List.of(2, 4, 6, 1, 0));
    try (Environment env = fiveWay.make(task)) {
      double[] img = env.reset(9);
      double label = fiveWay.target(task, img)[0];
      assertEquals(1.0, env.step(new double[] {label}).reward());
      env.reset(9);
      assertEquals(0.0, env.step(new double[] {(label + 1) % 5}).reward());
      assertThrows(IllegalStateException.class, () -> env.step(new double[] {0}));
    }
    assertNotEquals(fiveWay.make(task).reset(1)[0], -1.0);
  }

  @Test
  void when_the_environment_contract_is_checked_expect_every_check_to_pass() {
    assertEquals(6, new EnvironmentContract(fiveWay, EnvironmentContract.Options.defaults()).checkAll().size());
  }
}
