package io.maml4j.env;

import java.util.List;

/** {@link VectorEnvironment} over in-process environments, stepped one after another. */
final class SyncVectorEnvironment implements VectorEnvironment {
  private final List<Environment> envs;

  SyncVectorEnvironment(List<Environment> envs) {
    if (envs.isEmpty()) {
      throw new IllegalArgumentException("a vector environment needs at least one environment");
    }
    this.envs = List.copyOf(envs);
  }

  @Override
  public int size() {
    return envs.size();
  }

  @Override
  public Space observationSpace() {
    return envs.get(0).observationSpace();
  }

  @Override
  public Space actionSpace() {
    return envs.get(0).actionSpace();
  }

  @Override
  public double[][] reset(long[] seeds) {
    double[][] out = new double[envs.size()][];
    for (int i = 0; i < out.length; i++) {
      out[i] = envs.get(i).reset(seeds[i]);
    }
    return out;
  }

  @Override
  public StepResult[] step(double[][] actions, boolean[] active) {
    StepResult[] out = new StepResult[envs.size()];
    for (int i = 0; i < out.length; i++) {
      if (active[i]) {
        out[i] = envs.get(i).step(actions[i]);
      }
    }
    return out;
  }

  @Override
  public void close() {
    RuntimeException first = null;
    for (Environment e : envs) {
      try {
        e.close();
      } catch (RuntimeException ex) {
        if (first == null) {
          first = ex;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
