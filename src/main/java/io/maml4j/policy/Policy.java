package io.maml4j.policy;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Space;
import java.util.List;
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

  /**
   * {@link #forward} for values only: nothing recorded, the distribution cut off from the graph,
   * for evaluations such as a line search's. The MLP policies compute the network's outputs in
   * row blocks without the tape ({@link io.maml4j.autodiff.MlpValues}), equal to {@link #forward}'s
   * to float32 rounding.
   */
  default Distribution forwardValues(Params params, Tensor obs) {
    try (Tape.Scope s = Tape.noGrad()) {
      return forward(params.detach(), obs.detach()).detach();
    }
  }

  /**
   * Actions for a sampler's time step, values only: for observations [T, N, obsDim] ({@code obs}
   * row-major, T = {@code tasks}, N = {@code rows}) a draw per row from {@code rng} when it is
   * given ({@link Distribution#sample(SplittableRandom)}), else from the task's stream in {@code
   * perTask} ({@link Distribution#sample(List)}), and the {@link Distribution#mode} when both are
   * null. The default goes through {@link #forward}; the MLP policies compute the same values
   * without the tape's arrays (to float32 rounding, with the same draws).
   */
  default double[] act(Params params, double[] obs, int tasks, int rows, SplittableRandom rng,
      List<SplittableRandom> perTask) {
    try (Tape.Scope s = Tape.noGrad(); Arena arena = Arena.open()) {
      Tensor o = Tensor.of(obs, params.list().get(0).dataType(), tasks, rows, obs.length / ((long) tasks * rows));
      Distribution dist = forward(params, o);
      return rng != null ? dist.sample(rng) : perTask != null ? dist.sample(perTask) : dist.mode();
    }
  }
}
