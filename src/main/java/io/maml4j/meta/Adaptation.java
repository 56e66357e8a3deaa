package io.maml4j.meta;

import io.maml4j.policy.Params;
import java.util.List;

/**
 * The result of an {@link InnerLoop}: the adapted per-task parameters θ' and, for the curvature
 * products that differentiate through it, each step's input and inner gradient.
 *
 * @param params the adapted parameters θ', stacked per task
 * @param stepInputs the parameters each inner step started from
 * @param stepGrads each step's inner gradients, differentiable when the adaptation recorded a graph
 */
public record Adaptation(Params params, List<Params> stepInputs, List<Params> stepGrads) {
  public Adaptation {
    stepInputs = List.copyOf(stepInputs);
    stepGrads = List.copyOf(stepGrads);
  }
}
