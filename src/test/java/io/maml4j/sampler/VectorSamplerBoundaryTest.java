package io.maml4j.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.env.Environment;
import io.maml4j.env.EnvironmentException;
import io.maml4j.env.ForwardingTaskDistribution;
import io.maml4j.env.ForwardingVectorEnvironment;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.env.VectorEnvironment;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.sampler.FaultyEnvironments.Fault;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The sampler checks every value an environment hands it, at the step that produced it: a fault
 * is one {@link EnvironmentException} naming the environment, the task, the episode and the step.
 */
class VectorSamplerBoundaryTest {
  private static final int HORIZON = 6;
  private static final int EPISODES = 3;

  private static EnvironmentException sampleExpectingFault(TaskDistribution dist, List<Task> tasks) {
    Policy policy = Policies.create(new PolicySpec("gaussian-mlp", new int[] {4}, "tanh", 1.0, 1e-6),
        FaultyEnvironments.OBSERVATIONS, FaultyEnvironments.ACTIONS);
    Params theta = policy.init(new SplittableRandom(1), DataType.FLOAT);
    return assertThrows(EnvironmentException.class,
        () -> new VectorSampler(dist).sample(policy, theta, tasks, EPISODES, new SplittableRandom(2)));
  }

  private static EnvironmentException fault(Fault fault, int step) {
    FaultyEnvironments dist = new FaultyEnvironments(fault, step, HORIZON);
    List<Task> tasks = dist.sample(2, new SplittableRandom(3));
    EnvironmentException e = sampleExpectingFault(dist, tasks);
    String msg = e.getMessage();
    assertFalse(msg.contains("\n"), msg);
    assertTrue(msg.startsWith("environment '" + dist.name() + "', task " + tasks.get(0).params()), msg);
    return e;
  }

  @Test
  void when_reward_is_nan_expect_the_step_named() {
    String msg = fault(Fault.NAN_REWARD, 4).getMessage();
    assertTrue(msg.contains("episode 0, step 4: reward is NaN, expected a finite number"), msg);
  }

  @Test
  void when_reward_is_infinite_expect_the_step_named() {
    String msg = fault(Fault.INFINITE_REWARD, 2).getMessage();
    assertTrue(msg.contains("episode 0, step 2: reward is -Infinity, expected a finite number"), msg);
  }

  @Test
  void when_observation_is_nan_expect_the_element_named() {
    String msg = fault(Fault.NAN_OBSERVATION, 3).getMessage();
    assertTrue(msg.contains("episode 0, step 3: observation[1] is NaN, expected a finite number"), msg);
  }

  @Test
  void when_reset_observation_is_short_expect_sizes_named() {
    String msg = fault(Fault.SHORT_OBSERVATION, 0).getMessage();
    assertTrue(msg.contains("episode 0, reset: observation has 1 elements, expected 2 for Box[2]"), msg);
  }

  @Test
  void when_step_observation_is_long_expect_sizes_named() {
    String msg = fault(Fault.LONG_OBSERVATION, 1).getMessage();
    assertTrue(msg.contains("episode 0, step 1: observation has 3 elements, expected 2 for Box[2]"), msg);
  }

  @Test
  void when_reset_observation_is_null_expect_it_named() {
    String msg = fault(Fault.NULL_OBSERVATION, 0).getMessage();
    assertTrue(msg.contains("episode 0, reset: observation is null, expected 2 numbers"), msg);
  }

  @Test
  void when_environment_action_space_differs_expect_both_spaces_named() {
    String msg = fault(Fault.OTHER_ACTION_SPACE, -1).getMessage();
    assertTrue(msg.endsWith("action space is Box[2] in [-1.0, 1.0], expected the distribution's Box[2] in [-0.1, 0.1]"),
        msg);
  }

  @Test
  void when_environment_observation_space_differs_expect_both_spaces_named() {
    String msg = fault(Fault.OTHER_OBSERVATION_SPACE, -1).getMessage();
    assertTrue(msg.contains("observation space is Box[3] in [-1.0, 1.0], expected the distribution's Box[2]"), msg);
  }

  @Test
  void when_a_later_task_faults_expect_that_task_and_episode_named() {
    // Only the second task's environments fault, and only from the second episode on.
    FaultyEnvironments good = new FaultyEnvironments(Fault.NONE, -1, HORIZON);
    FaultyEnvironments bad = new FaultyEnvironments(Fault.NAN_REWARD, 2, HORIZON);
    List<Task> tasks = good.sample(2, new SplittableRandom(4));
    TaskDistribution mixed = new ForwardingTaskDistribution(good) {
      private int made;

      @Override
      public Environment make(Task task) {
        // Made in task-major order: task 0's episodes first, then task 1's.
        return made++ >= EPISODES + 1 ? bad.make(task) : good.make(task);
      }
    };
    String msg = sampleExpectingFault(mixed, tasks).getMessage();
    assertTrue(msg.startsWith("environment 'faulty-none', task " + tasks.get(1).params() + ", episode 1, step 2: reward is NaN"),
        msg);
  }

  @Test
  void when_a_vector_environment_declares_other_spaces_expect_it_refused() {
    FaultyEnvironments good = new FaultyEnvironments(Fault.NONE, -1, HORIZON);
    FaultyEnvironments wide = new FaultyEnvironments(Fault.OTHER_ACTION_SPACE, -1, HORIZON);
    TaskDistribution overriding = new ForwardingTaskDistribution(good) {
      @Override
      public VectorEnvironment makeVector(List<Task> tasks) {
        // A distribution that builds its own vector environment skips the default's check.
        return VectorEnvironment.of(tasks.stream().map(wide::make).toList());
      }
    };
    String msg = sampleExpectingFault(overriding, good.sample(1, new SplittableRandom(5))).getMessage();
    assertTrue(msg.contains("action space is Box[2] in [-1.0, 1.0], expected the distribution's"), msg);
  }

  @Test
  void when_a_vector_environment_drops_a_result_expect_the_step_named() {
    FaultyEnvironments good = new FaultyEnvironments(Fault.NONE, -1, HORIZON);
    TaskDistribution dropping = new ForwardingTaskDistribution(good) {
      @Override
      public VectorEnvironment makeVector(List<Task> tasks) {
        return new ForwardingVectorEnvironment(good.makeVector(tasks)) {
          @Override
          public StepResult[] step(double[][] actions, boolean[] active) {
            StepResult[] r = super.step(actions, active);
            r[r.length - 1] = null;
            return r;
          }
        };
      }
    };
    String msg = sampleExpectingFault(dropping, good.sample(1, new SplittableRandom(6))).getMessage();
    assertTrue(msg.contains("episode " + (EPISODES - 1) + ", step 1: step returned no result"), msg);
  }

  @Test
  void when_environment_is_sound_expect_episodes_unchanged_by_the_checks() {
    FaultyEnvironments good = new FaultyEnvironments(Fault.NONE, -1, HORIZON);
    Policy policy = Policies.create(new PolicySpec("gaussian-mlp", new int[] {4}, "tanh", 1.0, 1e-6),
        FaultyEnvironments.OBSERVATIONS, FaultyEnvironments.ACTIONS);
    Params theta = policy.init(new SplittableRandom(1), DataType.DOUBLE);
    List<Task> tasks = good.sample(2, new SplittableRandom(7));
    Episodes ep = new VectorSampler(good).sample(policy, theta, tasks, EPISODES, new SplittableRandom(8));
    // Every reward recomputed from the recorded observations and actions: -|x_{t+1} - goal|.
    for (int i = 0; i < 2 * EPISODES; i++) {
      double[] goal = tasks.get(i / EPISODES).vector("goal");
      assertEquals(HORIZON, ep.lengths()[i]);
      double[] x = new double[2];
      for (int h = 0; h < HORIZON; h++) {
        for (int d = 0; d < 2; d++) {
          assertEquals(x[d], ep.observations()[(i * HORIZON + h) * 2 + d], 1e-12);
          x[d] += Math.max(-0.1, Math.min(0.1, ep.actions()[(i * HORIZON + h) * 2 + d]));
        }
        assertEquals(-Math.hypot(x[0] - goal[0], x[1] - goal[1]), ep.rewards()[i * HORIZON + h], 1e-12);
      }
    }
  }

  @Test
  void when_a_vector_environment_resets_too_few_instances_expect_the_counts_named() {
    FaultyEnvironments good = new FaultyEnvironments(Fault.NONE, -1, HORIZON);
    TaskDistribution shortReset = new ForwardingTaskDistribution(good) {
      @Override
      public VectorEnvironment makeVector(List<Task> tasks) {
        return new ForwardingVectorEnvironment(good.makeVector(tasks)) {
          @Override
          public double[][] reset(long[] seeds) {
            return java.util.Arrays.copyOf(super.reset(seeds), seeds.length - 1);
          }
        };
      }
    };
    String msg = sampleExpectingFault(shortReset, good.sample(2, new SplittableRandom(9))).getMessage();
    assertEquals("environment 'faulty-none': reset of " + 2 * EPISODES + " instances returned " + (2 * EPISODES - 1)
        + " observations", msg);
  }
}
