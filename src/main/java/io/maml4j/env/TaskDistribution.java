package io.maml4j.env;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** The distribution over tasks p(T) that MAML meta-trains on. */
public interface TaskDistribution {
  /** A short name, as used in environment specs. */
  String name();

  /** Draws one task. */
  Task sample(SplittableRandom rng);

  /** Draws {@code n} independent tasks. */
  default List<Task> sample(int n, SplittableRandom rng) {
    List<Task> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(sample(rng));
    }
    return out;
  }

  /** Makes a fresh environment for a task; environments never share mutable state. */
  Environment make(Task task);

  /**
   * Makes one environment per task, to be stepped together by the sampler. The default makes them
   * with {@link #make} and checks that each declares this distribution's spaces.
   */
  default VectorEnvironment makeVector(List<Task> tasks) {
    List<Environment> envs = new ArrayList<>(tasks.size());
    try {
      for (Task t : tasks) {
        Environment env = make(t);
        envs.add(env);
        EnvironmentChecks.spaces(name(), t, observationSpace(), actionSpace(), env.observationSpace(),
            env.actionSpace());
      }
    } catch (RuntimeException e) {
      envs.forEach(Environment::close);
      throw e;
    }
    return VectorEnvironment.of(envs);
  }

  Space observationSpace();

  Space actionSpace();

  /** The horizon H: episodes are cut after this many steps. */
  int horizon();
}
