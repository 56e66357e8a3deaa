package io.maml4j.policy;

import io.maml4j.autodiff.Tensor;
import java.util.SplittableRandom;

/**
 * The distribution of a deterministic policy: all mass on one action per row. It has no density,
 * so {@link #logProb} and {@link #kl} are unsupported; losses use {@link #value()} directly.
 */
public final class PointMass implements Distribution {
  private final Tensor value;

  /** @param value the action of each row, [T, N, actionDim] */
  public PointMass(Tensor value) {
    if (value.rank() != 3) {
      throw new IllegalArgumentException("a point mass needs actions of shape [T, N, d], got rank " + value.rank());
    }
    this.value = value;
  }

  /** The action of each row, [T, N, actionDim], differentiable in the policy's parameters. */
  public Tensor value() {
    return value;
  }

  @Override
  public Tensor logProb(Tensor actions) {
    throw new UnsupportedOperationException(
        "a deterministic policy has no log-density; use a loss on its prediction such as \"loss\": \"mse\"");
  }

  @Override
  public Tensor kl(Distribution other) {
    throw new UnsupportedOperationException("a deterministic policy has no KL divergence; use the Adam meta-optimizer");
  }

  @Override
  public double[] sample(SplittableRandom rng) {
    return value.toDoubles();
  }

  @Override
  public double[] sample(java.util.List<SplittableRandom> perTask) {
    return value.toDoubles();
  }

  @Override
  public double[] mode() {
    return value.toDoubles();
  }

  @Override
  public Distribution detach() {
    return new PointMass(value.detach());
  }

  @Override
  public Distribution map(java.util.function.UnaryOperator<Tensor> f) {
    return new PointMass(f.apply(value));
  }
}
