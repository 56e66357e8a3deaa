package io.maml4j.policy;

import io.maml4j.autodiff.Tensor;
import java.util.SplittableRandom;

/**
 * The action distribution a policy outputs for a batch of observations laid out as [T, N, ...]:
 * T tasks, N rows each. Results are per row with shape [T, N, 1].
 */
public interface Distribution {
  /** log π(a | s) per row; {@code actions} is [T, N, actionDim] (an index for discrete). */
  Tensor logProb(Tensor actions);

  /** KL(this || other) per row. */
  Tensor kl(Distribution other);

  /** Draws one action per row into a flat array of T*N*actionDim values. */
  double[] sample(SplittableRandom rng);

  /**
   * Draws one action per row, the rows of task t from {@code perTask.get(t)} in row order, so a
   * task's actions do not depend on the other tasks sampled beside it. With one task this is
   * {@link #sample(SplittableRandom)}.
   */
  default double[] sample(java.util.List<SplittableRandom> perTask) {
    if (perTask.size() == 1) {
      return sample(perTask.get(0));
    }
    throw new UnsupportedOperationException(getClass().getSimpleName() + " draws from one stream only");
  }

  /** The most likely action per row, for deterministic evaluation. */
  double[] mode();

  /** The same distribution with every parameter cut off from the graph. */
  Distribution detach();

  /**
   * The same family with {@code f} applied to every parameter tensor: for example {@code
   * map(arena::escape)} keeps a distribution alive after the arena that computed it closes.
   */
  Distribution map(java.util.function.UnaryOperator<io.maml4j.autodiff.Tensor> f);
}
