package io.maml4j.env;

/** Forwards every call to another environment; a test overrides the one part it breaks. */
public class ForwardingEnvironment implements Environment {
  private final Environment inner;

  public ForwardingEnvironment(Environment inner) {
    this.inner = inner;
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
  public double[] reset(long seed) {
    return inner.reset(seed);
  }

  @Override
  public StepResult step(double[] action) {
    return inner.step(action);
  }

  @Override
  public void close() {
    inner.close();
  }
}
