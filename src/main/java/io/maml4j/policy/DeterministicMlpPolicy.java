package io.maml4j.policy;

import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Space;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A deterministic policy for Box actions: the action is the output of an MLP of the
 * observation. As the model of a supervised task (H = 1) it is the regressor ŷ = f_θ(x), for
 * example the MAML paper's 40-40 ReLU network for sinusoid regression (Finn et al. 2017,
 * Section 5.1). Its distribution is a {@link PointMass}; train it with a loss on the prediction
 * such as the mean squared error, not with a likelihood.
 */
public final class DeterministicMlpPolicy extends AbstractMlpPolicy {

  public DeterministicMlpPolicy(PolicySpec spec, Space observationSpace, Space actionSpace) {
    super(spec, observationSpace, actionSpace, Box.class, Space::flatSize);
  }

  @Override
  public Params init(SplittableRandom rng, DataType type) {
    return new Params(mlp.init(rng, type));
  }

  /** The prediction f_θ(x) for inputs [T, N, obsDim]: [T, N, actionDim], differentiable. */
  public Tensor predict(Params params, Tensor obs) {
    return mlp.apply(params, obs);
  }

  @Override
  public Distribution forward(Params params, Tensor obs) {
    return new PointMass(predict(params, obs));
  }
}
