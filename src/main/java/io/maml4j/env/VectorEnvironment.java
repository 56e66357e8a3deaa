package io.maml4j.env;

import java.util.List;

/**
 * Many environment instances stepped together: the sampler's view of the world. Instance i can
 * belong to any task. The default implementation steps plain {@link Environment}s one by one;
 * remote and native back ends override it to step all instances in one call.
 */
public interface VectorEnvironment extends AutoCloseable {
  int size();

  Space observationSpace();

  Space actionSpace();

  /** Resets every instance, seeded per instance; returns one observation per instance. */
  double[][] reset(long[] seeds);

  /**
   * Steps the instances whose {@code active} flag is set; entries of inactive instances in the
   * result are null.
   */
  StepResult[] step(double[][] actions, boolean[] active);

  @Override
  void close();

  /** Steps a list of environments in turn, on the calling thread. */
  static VectorEnvironment of(List<Environment> envs) {
    return new ThreadedVectorEnvironment(envs, 1);
  }
}
