package io.maml4j.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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

  /** Inputs of dimension 2 drawn from the seed, targets of dimension 3: (a x0, a x1, a). */
  static final class Planes implements io.maml4j.env.SupervisedTaskDistribution {
    @Override
    public String name() {
      return "planes";
    }

    @Override
    public Task sample(SplittableRandom rng) {
      return new Task(java.util.Map.of("a", rng.nextDouble()));
    }

    @Override
    public io.maml4j.env.Environment make(Task task) {
      return new io.maml4j.env.Environment() {
        @Override
        public io.maml4j.env.Space observationSpace() {
          return Planes.this.observationSpace();
        }

        @Override
        public io.maml4j.env.Space actionSpace() {
          return Planes.this.actionSpace();
        }

        @Override
        public double[] reset(long seed) {
          SplittableRandom r = new SplittableRandom(seed);
          return new double[] {r.nextDouble(), r.nextDouble()};
        }

        @Override
        public io.maml4j.env.StepResult step(double[] action) {
          throw new UnsupportedOperationException();
        }
      };
    }

    @Override
    public double[] target(Task task, double[] x) {
      double a = task.number("a");
      return new double[] {a * x[0], a * x[1], a};
    }

    @Override
    public io.maml4j.env.Space observationSpace() {
      return io.maml4j.env.Box.of(2, 0, 1);
    }

    @Override
    public io.maml4j.env.Space actionSpace() {
      return io.maml4j.env.Box.of(3, -10, 10);
    }
  }

  @Test
  void when_inputs_and_targets_have_several_dimensions_expect_rows_at_their_offsets() {
    List<Task> tasks = List.of(new Task(java.util.Map.of("a", 2.0)), new Task(java.util.Map.of("a", -3.0)));
    Examples ex = new ExampleSampler(new Planes()).sample(tasks, 3, new SplittableRandom(5));
    assertEquals(2, ex.inputDim());
    assertEquals(3, ex.targetDim());
    double[] x = ex.inputs();
    double[] y = ex.targets();
    assertEquals(12, x.length);
    assertEquals(18, y.length);
    for (int row = 0; row < 6; row++) {
      double a = row < 3 ? 2 : -3;
      assertArrayEquals(new double[] {a * x[row * 2], a * x[row * 2 + 1], a},
          new double[] {y[row * 3], y[row * 3 + 1], y[row * 3 + 2]}, 1e-12, "row " + row);
      assertTrue(x[row * 2] != x[row * 2 + 1], "row " + row);
    }
    List<Task> one = tasks.subList(0, 1);
    assertEquals(1, new ExampleSampler(new Planes()).sample(one, 1, new SplittableRandom(5)).perTask());
    IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
        () -> new Examples(tasks, 3, 2, 3, new double[12], new double[17]));
    assertEquals("expected 12 inputs and 18 targets for 2 tasks x 3 examples, got 12 and 17", sizes.getMessage());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new ExampleSampler(new Planes()).sample(tasks, 0, new SplittableRandom(5)));
    assertEquals("examples per task must be at least 1, got 0", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new Examples(tasks, 3, 2, 3, new double[12], new double[17]));
    assertThrows(IllegalArgumentException.class, () -> new Examples(tasks, 3, 2, 3, new double[11], new double[18]));
    new Examples(tasks, 3, 2, 3, new double[12], new double[18]);
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
