package io.maml4j.env;

/**
 * What one environment step returns. {@code terminated} marks a true terminal state (no value
 * after it); {@code truncated} marks an episode cut by a time limit, whose last state still has
 * a value when bootstrapping.
 */
public record StepResult(double[] observation, double reward, boolean terminated, boolean truncated) {
  public StepResult {
    if (observation == null) {
      throw new IllegalArgumentException("a step result needs an observation, got null");
    }
    observation = observation.clone();
  }

  public boolean done() {
    return terminated || truncated;
  }

  @Override
  public double[] observation() {
    return observation.clone();
  }
}
