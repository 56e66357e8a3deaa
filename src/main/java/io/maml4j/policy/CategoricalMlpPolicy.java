package io.maml4j.policy;

import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.env.Space;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/** A categorical policy for Discrete actions: logits are an MLP of the observation. */
public final class CategoricalMlpPolicy extends AbstractMlpPolicy {

  public CategoricalMlpPolicy(PolicySpec spec, Space observationSpace, Space actionSpace) {
    super(spec, observationSpace, actionSpace, Discrete.class, a -> ((Discrete) a).n());
  }

  @Override
  public Params init(SplittableRandom rng, DataType type) {
    return new Params(mlp.init(rng, type));
  }

  @Override
  public Distribution forward(Params params, Tensor obs) {
    return Categorical.fromLogits(mlp.apply(params, obs));
  }

  /** Categorical distribution over the last axis of log-probabilities [T, N, n]. */
  static final class Categorical implements Distribution {
    private final Tensor logp;

    Categorical(Tensor logp) {
      this.logp = logp;
    }

    /** The distribution softmax(logits) over the last axis of logits [T, N, n]. */
    static Categorical fromLogits(Tensor logits) {
      // The max is a constant shift: it cancels in the gradient and keeps exp() finite.
      INDArray max = logits.value().max(true, 2);
      Tensor shifted = logits.sub(Tensor.constant(max));
      return new Categorical(shifted.sub(shifted.exp().sum(2).log()));
    }

    @Override
    public Tensor logProb(Tensor actions) {
      // actions [T, N, 1] of indices; select through a constant one-hot mask.
      long n = logp.size(2);
      double[] idx = actions.toDoubles();
      double[] onehot = new double[(int) (idx.length * n)];
      for (int i = 0; i < idx.length; i++) {
        onehot[(int) (i * n + idx[i])] = 1.0;
      }
      Tensor mask = Tensor.of(onehot, logp.dataType(), logp.shape());
      return logp.mul(mask).sum(2);
    }

    @Override
    public Tensor kl(Distribution other) {
      Tensor q = ((Categorical) other).logp;
      return logp.exp().mul(logp.sub(q)).sum(2);
    }

    @Override
    public double[] sample(SplittableRandom rng) {
      return draw(java.util.List.of(rng), true);
    }

    @Override
    public double[] sample(java.util.List<SplittableRandom> perTask) {
      return draw(perTask, false);
    }

    private double[] draw(java.util.List<SplittableRandom> rngs, boolean one) {
      double[] lp = logp.toDoubles();
      int n = (int) logp.size(2);
      int rows = (int) logp.size(1);
      double[] out = new double[lp.length / n];
      if (!one && rngs.size() != out.length / rows) {
        throw new IllegalArgumentException(rngs.size() + " task streams for " + out.length / rows + " tasks");
      }
      for (int r = 0; r < out.length; r++) {
        double u = rngs.get(one ? 0 : r / rows).nextDouble();
        double c = 0;
        int a = n - 1;
        for (int k = 0; k < n; k++) {
          c += Math.exp(lp[r * n + k]);
          if (u < c) {
            a = k;
            break;
          }
        }
        out[r] = a;
      }
      return out;
    }

    @Override
    public double[] mode() {
      double[] lp = logp.toDoubles();
      int n = (int) logp.size(2);
      double[] out = new double[lp.length / n];
      for (int r = 0; r < out.length; r++) {
        int best = 0;
        for (int k = 1; k < n; k++) {
          if (lp[r * n + k] > lp[r * n + best]) {
            best = k;
          }
        }
        out[r] = best;
      }
      return out;
    }

    @Override
    public Distribution detach() {
      return new Categorical(logp.detach());
    }

    @Override
    public Distribution map(java.util.function.UnaryOperator<Tensor> f) {
      return new Categorical(f.apply(logp));
    }
  }
}
