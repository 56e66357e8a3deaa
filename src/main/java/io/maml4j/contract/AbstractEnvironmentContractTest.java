package io.maml4j.contract;

import io.maml4j.env.TaskDistribution;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The environment contract as a JUnit 5 test class to extend in your own project: implement
 * {@link #distribution()} (and optionally {@link #options()}), and each check of {@link
 * EnvironmentContract} runs as its own test, failing with the contract's one-line message.
 *
 * <pre>{@code
 * class MyTasksContractTest extends AbstractEnvironmentContractTest {
 *   @Override
 *   protected TaskDistribution distribution() {
 *     return new MyTasks(0.5, 200);
 *   }
 * }
 * }</pre>
 *
 * <p>JUnit is not bundled with maml4j: the test scope of your build provides it.
 */
public abstract class AbstractEnvironmentContractTest {
  private EnvironmentContract contract;

  /** A fresh instance of the distribution under test. */
  protected abstract TaskDistribution distribution();

  /** How many tasks and episodes to run; {@link EnvironmentContract.Options#defaults()} unless overridden. */
  protected EnvironmentContract.Options options() {
    return EnvironmentContract.Options.defaults();
  }

  @BeforeEach
  void drawTasks() {
    contract = new EnvironmentContract(distribution(), options());
  }

  @Test
  void environments_declare_the_distributions_spaces() {
    contract.checkSpaces();
  }

  @Test
  void observations_and_rewards_are_valid_and_ended_episodes_refuse_steps() {
    contract.checkEpisodes();
  }

  @Test
  void the_same_seed_and_actions_give_the_same_episode() {
    contract.checkDeterminism();
  }

  @Test
  void every_task_parameter_changes_the_episode() {
    contract.checkTasksMatter();
  }

  @Test
  void tasks_survive_gym_http_kwargs() {
    contract.checkKwargs();
  }

  @Test
  void make_vector_steps_like_single_environments() {
    contract.checkVector();
  }
}
