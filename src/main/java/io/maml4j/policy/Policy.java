package io.maml4j.policy;

import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Space;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A stochastic policy π_θ(a | s) that is a pure function of its parameters θ. The policy object
 * itself holds no parameters, only their shapes.
 */
public interface Policy {
  Space observationSpace();

  Space actionSpace();

  /** The spec this policy was built from. */
  PolicySpec spec();

  /** Fresh parameters: Xavier-uniform weights, zero biases, as in the reference implementations. */
  Params init(SplittableRandom rng, DataType type);

  /**
   * The action distribution for observations {@code obs} of shape [T, N, obsDim], with shared
   * params or params stacked per task ([T, ...] each).
   */
  Distribution forward(Params params, Tensor obs);
}
