package io.maml4j.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maml4j.env.Task;
import io.maml4j.envs.Sinusoid;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class ExampleSamplerTest {
  @Test
  void when_two_tasks_differ_expect_each_example_labelled_by_its_own_task() {
    Sinusoid s = Sinusoid.standard();
    List<Task> tasks = List.of(Sinusoid.task(1, 0), Sinusoid.task(4, 2));
    Examples ex = new ExampleSampler(s).sample(tasks, 5, new SplittableRandom(2));
    assertEquals(2, ex.numTasks());
    assertEquals(5, ex.perTask());
    double[] x = ex.inputs();
    double[] y = ex.targets();
    assertEquals(10, x.length);
    for (int i = 0; i < 10; i++) {
      assertEquals(Sinusoid.value(tasks.get(i / 5), x[i]), y[i], 1e-12, "example " + i);
    }
    assertNotEquals(x[0], x[1]);
    // Copies in and out.
    x[0] = 99;
    assertNotEquals(99, ex.inputs()[0]);
    assertThrows(IllegalArgumentException.class, () -> new ExampleSampler(s).sample(tasks, 0, new SplittableRandom(2)));
  }

  @Test
  void when_examples_do_not_match_their_sizes_expect_rejection() {
    List<Task> one = List.of(Sinusoid.task(1, 0));
    double[] two = {1, 2};
    Examples ok = new Examples(one, 2, 1, 1, two, two);
    assertArrayEquals(two, ok.targets(), 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Examples(one, 2, 1, 1, two, new double[3]));
    assertEquals("expected 2 inputs and 2 targets for 1 tasks x 2 examples, got 2 and 3", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Examples(one, 2, 1, 1, new double[3], two));
    assertThrows(IllegalArgumentException.class, () -> new Examples(one, 0, 1, 1, new double[0], new double[0]));
    assertThrows(IllegalArgumentException.class, () -> new Examples(one, 2, 0, 1, new double[0], two));
    assertThrows(IllegalArgumentException.class, () -> new Examples(one, 2, 1, 0, two, new double[0]));
  }
}
