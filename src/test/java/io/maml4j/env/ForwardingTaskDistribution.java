package io.maml4j.env;

import java.util.SplittableRandom;

/**
 * Forwards every call to another distribution except {@link #makeVector}, which keeps the
 * default (through {@link #make}, so an overridden {@code make} is what gets stepped); a test
 * overrides the one part it breaks.
 */
public class ForwardingTaskDistribution implements TaskDistribution {
  private final TaskDistribution inner;

  public ForwardingTaskDistribution(TaskDistribution inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public Task sample(SplittableRandom rng) {
    return inner.sample(rng);
  }

  @Override
  public Environment make(Task task) {
    return inner.make(task);
  }

  @Override
  public Space observationSpace() {
    return inner.observationSpace();
  }

  @Override
  public Space actionSpace() {
    return inner.actionSpace();
  }

  @Override
  public int horizon() {
    return inner.horizon();
  }
}
