package io.maml4j.sampler;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.env.Environment;
import io.maml4j.env.EnvironmentException;
import io.maml4j.env.Space;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import io.maml4j.envs.Sinusoid;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A supervised distribution's inputs and targets are checked where the example sampler takes them. */
class ExampleSamplerBoundaryTest {
  /** The standard sinusoid, except that the target of one input (the third drawn) is broken. */
  private static SupervisedTaskDistribution breaking(double[] badTarget) {
    Sinusoid sin = Sinusoid.standard();
    return new SupervisedTaskDistribution() {
      private int targets;

      @Override
      public double[] target(Task task, double[] input) {
        return ++targets == 3 ? badTarget : sin.target(task, input);
      }

      @Override
      public String name() {
        return "broken-sinusoid";
      }

      @Override
      public Task sample(SplittableRandom rng) {
        return sin.sample(rng);
      }

      @Override
      public Environment make(Task task) {
        return sin.make(task);
      }

      @Override
      public Space observationSpace() {
        return sin.observationSpace();
      }

      @Override
      public Space actionSpace() {
        return sin.actionSpace();
      }
    };
  }

  @Test
  void when_a_target_is_nan_expect_task_and_example_named() {
    SupervisedTaskDistribution d = breaking(new double[] {Double.NaN});
    List<Task> tasks = d.sample(2, new SplittableRandom(1));
    String msg = assertThrows(EnvironmentException.class,
        () -> new ExampleSampler(d).sample(tasks, 2, new SplittableRandom(2))).getMessage();
    assertTrue(msg.equals("environment 'broken-sinusoid', task " + tasks.get(1).params()
        + ", episode 0, reset: target[0] is NaN, expected a finite number"), msg);
  }

  @Test
  void when_a_target_has_the_wrong_size_expect_sizes_named() {
    SupervisedTaskDistribution d = breaking(new double[] {0.5, 0.5});
    List<Task> tasks = d.sample(1, new SplittableRandom(1));
    String msg = assertThrows(EnvironmentException.class,
        () -> new ExampleSampler(d).sample(tasks, 4, new SplittableRandom(2))).getMessage();
    assertTrue(msg.endsWith("episode 2, reset: target has 2 elements, expected 1 for Box[1] in [-Infinity, Infinity]"), msg);
  }

  @Test
  void when_an_input_is_nan_expect_it_named_before_its_target_is_asked_for() {
    Sinusoid sin = Sinusoid.standard();
    SupervisedTaskDistribution nanInputs = new SupervisedTaskDistribution() {
      @Override
      public double[] target(Task task, double[] input) {
        throw new AssertionError("the target of an invalid input was asked for");
      }

      @Override
      public String name() {
        return "nan-inputs";
      }

      @Override
      public Task sample(SplittableRandom rng) {
        return sin.sample(rng);
      }

      @Override
      public Environment make(Task task) {
        return new io.maml4j.env.ForwardingEnvironment(sin.make(task)) {
          @Override
          public double[] reset(long seed) {
            return new double[] {Double.NaN};
          }
        };
      }

      @Override
      public Space observationSpace() {
        return sin.observationSpace();
      }

      @Override
      public Space actionSpace() {
        return sin.actionSpace();
      }
    };
    List<Task> tasks = nanInputs.sample(1, new SplittableRandom(1));
    String msg = assertThrows(EnvironmentException.class,
        () -> new ExampleSampler(nanInputs).sample(tasks, 2, new SplittableRandom(2))).getMessage();
    assertTrue(msg.endsWith("episode 0, reset: observation[0] is NaN, expected a finite number"), msg);
  }
}
