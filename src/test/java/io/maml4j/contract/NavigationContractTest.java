package io.maml4j.contract;

import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.Navigation2D;

/** The JUnit base class users extend, run here on 2D navigation so that it is known to work. */
class NavigationContractTest extends AbstractEnvironmentContractTest {
  @Override
  protected TaskDistribution distribution() {
    return Navigation2D.standard();
  }
}
