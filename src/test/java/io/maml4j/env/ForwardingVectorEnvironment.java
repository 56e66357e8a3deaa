package io.maml4j.env;

/** Forwards every call to another vector environment; a test overrides the one part it breaks. */
public class ForwardingVectorEnvironment implements VectorEnvironment {
  private final VectorEnvironment inner;

  public ForwardingVectorEnvironment(VectorEnvironment inner) {
    this.inner = inner;
  }

  @Override
  public int size() {
    return inner.size();
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
  public double[][] reset(long[] seeds) {
    return inner.reset(seeds);
  }

  @Override
  public StepResult[] step(double[][] actions, boolean[] active) {
    return inner.step(actions, active);
  }

  @Override
  public void close() {
    inner.close();
  }
}
