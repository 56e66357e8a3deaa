package io.maml4j.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.env.EnvironmentException;
import io.maml4j.env.ForwardingTaskDistribution;
import io.maml4j.env.ForwardingVectorEnvironment;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.env.TaskDistribution.ParamRange;
import io.maml4j.env.VectorEnvironment;
import io.maml4j.sampler.FaultyEnvironments;
import io.maml4j.sampler.FaultyEnvironments.Fault;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each way an environment can break the contract is named in one line; a sound one passes every check. */
class EnvironmentContractTest {
  private static final int HORIZON = 8;

  private static String violation(TaskDistribution d) {
    EnvironmentException e = assertThrows(EnvironmentException.class,
        () -> new EnvironmentContract(d, EnvironmentContract.Options.defaults()).checkAll());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    assertTrue(e.getMessage().startsWith("environment '" + d.name() + "'"), e.getMessage());
    return e.getMessage();
  }

  private static String violation(Fault fault, int step) {
    return violation(new FaultyEnvironments(fault, step, HORIZON));
  }

  @Test
  void when_the_environment_is_sound_expect_every_check_to_pass_and_say_what_it_checked() {
    List<String> lines = new EnvironmentContract(new FaultyEnvironments(Fault.NONE, -1, HORIZON),
        EnvironmentContract.Options.defaults()).checkAll();
    assertEquals(6, lines.size());
    assertEquals("spaces: 4 environments declare Box[2] in [-Infinity, Infinity] -> Box[2] in [-0.1, 0.1]", lines.get(0));
    assertTrue(lines.get(1).startsWith("episodes: 96 steps in 12 episodes"), lines.get(1));
    assertTrue(lines.get(3).equals("tasks: changing goal alone changes the episode"), lines.get(3));
    assertEquals("vector: the default makeVector stepped 12 instances as their single environments do", lines.get(5));
  }

  @Test
  void when_episodes_end_and_further_steps_are_refused_expect_it_counted() {
    List<String> lines = new EnvironmentContract(new FaultyEnvironments(Fault.ENDS, 3, HORIZON),
        EnvironmentContract.Options.defaults()).checkAll();
    assertTrue(lines.get(1).equals("episodes: 36 steps in 12 episodes: observations of 2 finite numbers within bounds,"
        + " finite rewards; 12 episodes ended by the environment, and a further step was refused each time"), lines.get(1));
  }

  @Test
  void when_reward_is_nan_expect_it_rejected() {
    assertTrue(violation(Fault.NAN_REWARD, 5).endsWith("episode 0, step 5: reward is NaN, expected a finite number"));
  }

  @Test
  void when_observation_is_nan_expect_it_rejected() {
    String msg = violation(Fault.NAN_OBSERVATION, 2);
    assertTrue(msg.endsWith("episode 0, step 2: observation[1] is NaN, expected a finite number"), msg);
  }

  @Test
  void when_observation_is_too_short_expect_it_rejected() {
    String msg = violation(Fault.SHORT_OBSERVATION, 0);
    assertTrue(msg.endsWith("episode 0, reset: observation has 1 elements, expected 2 for Box[2] in [-Infinity, Infinity]"),
        msg);
  }

  @Test
  void when_observation_is_too_long_expect_it_rejected() {
    String msg = violation(Fault.LONG_OBSERVATION, 4);
    assertTrue(msg.endsWith("episode 0, step 4: observation has 3 elements, expected 2 for Box[2] in [-Infinity, Infinity]"),
        msg);
  }

  @Test
  void when_action_space_differs_from_the_distribution_expect_it_rejected() {
    String msg = violation(Fault.OTHER_ACTION_SPACE, -1);
    assertTrue(msg.endsWith(": action space is Box[2] in [-1.0, 1.0], expected the distribution's Box[2] in [-0.1, 0.1]"),
        msg);
  }

  @Test
  void when_reset_is_not_deterministic_expect_it_rejected() {
    String msg = violation(Fault.NONDETERMINISTIC_RESET, -1);
    assertTrue(msg.contains(": two environments of the same task differ at reset (observation ["), msg);
    assertTrue(msg.endsWith("for the same reset seed and actions, expected the same episode"), msg);
  }

  @Test
  void when_a_task_parameter_is_ignored_expect_it_named() {
    String msg = violation(Fault.IGNORED_PARAMETER, -1);
    assertTrue(msg.contains(": task parameter 'friction' is ignored: tasks {"), msg);
    assertTrue(msg.endsWith("differ only in 'friction' and gave the same 64 episodes for the same reset seeds and"
        + " actions, expected different rewards or observations"), msg);
  }

  @Test
  void when_a_step_after_the_end_is_accepted_expect_it_rejected() {
    String msg = violation(Fault.ENDS_BUT_ACCEPTS_MORE, 3);
    assertTrue(msg.endsWith("episode 0, step 4: a step after the episode ended at step 3 (terminated) was accepted,"
        + " expected it refused with an exception"), msg);
  }

  @Test
  void when_make_vector_steps_differently_expect_the_instance_named() {
    FaultyEnvironments good = new FaultyEnvironments(Fault.NONE, -1, HORIZON);
    TaskDistribution skewed = new ForwardingTaskDistribution(good) {
      @Override
      public String name() {
        return "skewed";
      }

      @Override
      public VectorEnvironment makeVector(List<Task> tasks) {
        return new ForwardingVectorEnvironment(VectorEnvironment.of(tasks.stream().map(good::make).toList())) {
          @Override
          public StepResult[] step(double[][] actions, boolean[] active) {
            // A vectorised back end that loses the last instance's action: it steps with zeros.
            double[][] a = actions.clone();
            a[a.length - 1] = new double[a[a.length - 1].length];
            return super.step(a, active);
          }
        };
      }
    };
    String msg = violation(skewed);
    assertTrue(msg.contains(": makeVector (instance 11) and a single environment differ at step 1 (reward "), msg);
  }

  @Test
  void when_sampled_tasks_leave_the_declared_parameter_ranges_expect_the_parameter_named() {
    FaultyEnvironments good = new FaultyEnvironments(Fault.NONE, -1, HORIZON);
    TaskDistribution narrow = new ForwardingTaskDistribution(good) {
      @Override
      public java.util.Map<String, ParamRange> paramRanges() {
        // The samples are goals in [-0.5, 0.5]^2: a server would refuse them as kwargs.
        return java.util.Map.of("goal", ParamRange.vector(2, 0.6, 1.0));
      }
    };
    String msg = violation(narrow);
    assertTrue(msg.contains(": parameter 'goal' is ["), msg);
    assertTrue(msg.endsWith(", outside the declared range: expected a list of 2 numbers in [0.6, 1.0]"), msg);
  }

  @Test
  void when_ranges_are_declared_expect_admits_to_check_kind_length_bounds_and_finiteness() {
    TaskDistribution.ParamRange v = TaskDistribution.ParamRange.vector(2, -1, 1);
    assertTrue(v.admits(List.of(0.5, -1.0)));
    assertFalse(v.admits(List.of(0.5)));
    assertFalse(v.admits(List.of(0.5, 1.5)));
    assertFalse(v.admits(0.5));
    TaskDistribution.ParamRange any = TaskDistribution.ParamRange.scalar(Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    assertTrue(any.admits(-1e300));
    assertFalse(any.admits(Double.NaN));
    assertFalse(any.admits(Double.POSITIVE_INFINITY));
    assertEquals("a finite number", any.expected());
  }
}
