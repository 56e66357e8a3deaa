package io.maml4j.optim;

import io.maml4j.autodiff.Tensor;
import io.maml4j.policy.Params;
import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Adam (Kingma and Ba 2015, Algorithm 1): with g the gradient at step t,
 * m ← β1 m + (1 - β1) g, v ← β2 v + (1 - β2) g², m̂ = m / (1 - β1^t), v̂ = v / (1 - β2^t),
 * θ ← θ - α m̂ / (√v̂ + ε).
 *
 * <p>Mutable: holds the moment estimates m, v and the step count t. Lifecycle: construct, call
 * {@link #step} once per update with parameters of the same names and shapes every time (the
 * moments are created at zero on the first call), {@link #reset()} to forget them. {@link
 * #copy()} gives the same configuration with fresh state.
 */
public final class Adam {
  private final double lr;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final Map<String, INDArray> m = new HashMap<>();
  private final Map<String, INDArray> v = new HashMap<>();
  private int t;

  /** Adam with the paper's defaults β1 = 0.9, β2 = 0.999, ε = 1e-8. */
  public Adam(double lr) {
    this(lr, 0.9, 0.999, 1e-8);
  }

  /** Validates 0 < lr, 0 <= β1, β2 < 1 and ε > 0. */
  public Adam(double lr, double beta1, double beta2, double eps) {
    if (!(lr > 0 && Double.isFinite(lr))) {
      throw new IllegalArgumentException("Adam step size must be greater than 0, got " + lr);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("Adam betas must be in [0, 1), got " + beta1 + " and " + beta2);
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("Adam epsilon must be greater than 0, got " + eps);
    }
    this.lr = lr;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.eps = eps;
  }

  public double lr() {
    return lr;
  }

  /** Number of steps taken since construction or the last reset. */
  public int steps() {
    return t;
  }

  /** Same configuration, fresh state. */
  public Adam copy() {
    return new Adam(lr, beta1, beta2, eps);
  }

  /** A copy of the moment estimates and step count, for checkpoints. */
  public record State(int steps, Map<String, INDArray> m, Map<String, INDArray> v) {
    /** Copies the arrays, so the state does not change with later steps. */
    public State {
      if (steps < 0 || !m.keySet().equals(v.keySet())) {
        throw new IllegalArgumentException("Adam state needs steps >= 0 and the same names in m and v, got " + steps
            + ", " + m.keySet() + " and " + v.keySet());
      }
      m = copy(m);
      v = copy(v);
    }

    private static Map<String, INDArray> copy(Map<String, INDArray> a) {
      Map<String, INDArray> out = new java.util.LinkedHashMap<>();
      a.forEach((k, x) -> out.put(k, x.dup()));
      return java.util.Collections.unmodifiableMap(out);
    }
  }

  /** The current state (a copy). */
  public State state() {
    return new State(t, m, v);
  }

  /** Replaces the state with a copy of {@code s}, e.g. when resuming a run. */
  public void restore(State s) {
    reset();
    s.m().forEach((k, x) -> m.put(k, x.dup()));
    s.v().forEach((k, x) -> v.put(k, x.dup()));
    t = s.steps();
  }

  /** Forgets the moment estimates and the step count. */
  public void reset() {
    m.clear();
    v.clear();
    t = 0;
  }

  /**
   * One update: returns new parameters (leaf variables, on the garbage-collected heap) and leaves
   * {@code theta} unchanged. {@code grad} must have the names and shapes of {@code theta}.
   */
  public Params step(Params theta, Params grad) {
    t++;
    double bc1 = 1 - Math.pow(beta1, t);
    double bc2 = 1 - Math.pow(beta2, t);
    Map<String, Tensor> out = new java.util.LinkedHashMap<>();
    for (String name : theta.names()) {
      INDArray x = theta.get(name).value();
      INDArray g = grad.get(name).value();
      if (!java.util.Arrays.equals(x.shape(), g.shape())) {
        throw new IllegalArgumentException("gradient of '" + name + "' has shape " + java.util.Arrays.toString(g.shape())
            + ", parameter has " + java.util.Arrays.toString(x.shape()));
      }
      INDArray mi = m.computeIfAbsent(name, k -> x.ulike().assign(0));
      INDArray vi = v.computeIfAbsent(name, k -> x.ulike().assign(0));
      // Temporaries are closed at once: off-heap memory would otherwise wait for the collector.
      INDArray scaled = g.mul(1 - beta1);
      mi.muli(beta1).addi(scaled);
      scaled.close();
      INDArray squared = g.mul(g).muli(1 - beta2);
      vi.muli(beta2).addi(squared);
      squared.close();
      INDArray denom = Transforms.sqrt(vi.div(bc2), false).addi(eps);
      INDArray update = mi.div(denom).muli(lr / bc1);
      denom.close();
      out.put(name, Tensor.variable(x.sub(update)));
      update.close();
    }
    return new Params(out);
  }
}
