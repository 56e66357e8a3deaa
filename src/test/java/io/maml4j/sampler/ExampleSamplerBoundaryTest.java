package io.maml4j.sampler;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.env.Environment;
import io.maml4j.env.EnvironmentException;
import io.maml4j.env.ForwardingEnvironment;
import io.maml4j.env.ForwardingTaskDistribution;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import io.maml4j.envs.Sinusoid;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** A supervised distribution's inputs and targets are checked where the example sampler takes them. */
class ExampleSamplerBoundaryTest {
  /** The standard sinusoid under another name; a test overrides the one part it breaks. */
  private static class NamedSinusoid extends ForwardingTaskDistribution implements SupervisedTaskDistribution {
    private final Sinusoid sin;
    private final String name;

    NamedSinusoid(String name) {
      this(Sinusoid.standard(), name);
    }

    private NamedSinusoid(Sinusoid sin, String name) {
      super(sin);
      this.sin = sin;
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public double[] target(Task task, double[] input) {
      return sin.target(task, input);
    }

    @Override
    public int horizon() {
      return 1;
    }
  }

  /** The standard sinusoid, except that the target of one input (the third drawn) is broken. */
  private static SupervisedTaskDistribution breaking(double[] badTarget) {
    return new NamedSinusoid("broken-sinusoid") {
      private int targets;

      @Override
      public double[] target(Task task, double[] input) {
        return ++targets == 3 ? badTarget : super.target(task, input);
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
    SupervisedTaskDistribution nanInputs = new NamedSinusoid("nan-inputs") {
      @Override
      public double[] target(Task task, double[] input) {
        throw new AssertionError("the target of an invalid input was asked for");
      }

      @Override
      public Environment make(Task task) {
        return new ForwardingEnvironment(super.make(task)) {
          @Override
          public double[] reset(long seed) {
            return new double[] {Double.NaN};
          }
        };
      }
    };
    List<Task> tasks = nanInputs.sample(1, new SplittableRandom(1));
    String msg = assertThrows(EnvironmentException.class,
        () -> new ExampleSampler(nanInputs).sample(tasks, 2, new SplittableRandom(2))).getMessage();
    assertTrue(msg.endsWith("episode 0, reset: observation[0] is NaN, expected a finite number"), msg);
  }
}
