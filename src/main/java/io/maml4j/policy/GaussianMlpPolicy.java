package io.maml4j.policy;

import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Space;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A diagonal Gaussian policy for Box actions: the mean is an MLP of the observation, the
 * log-standard deviation a learned state-independent vector (initialised to log init_std), and
 * the standard deviation is floored at min_std.
 */
public final class GaussianMlpPolicy extends AbstractMlpPolicy {
  /** Name of the learned log-standard-deviation parameter, shape [1, actionDim]. */
  public static final String LOG_STD = "log_std";

  public GaussianMlpPolicy(PolicySpec spec, Space observationSpace, Space actionSpace) {
    super(spec, observationSpace, actionSpace, Box.class, Space::flatSize);
  }

  @Override
  public Params init(SplittableRandom rng, DataType type) {
    Map<String, Tensor> m = mlp.init(rng, type);
    m.put(LOG_STD, Tensor.variable(Nd4j.valueArrayOf(new long[] {1, actSpace.flatSize()}, Math.log(spec.initStd()), type)));
    return new Params(m);
  }

  @Override
  public Distribution forward(Params params, Tensor obs) {
    Tensor mean = mlp.apply(params, obs);
    Tensor logStd = params.get(LOG_STD).clampMin(Math.log(spec.minStd()));
    return new Gaussian(mean, logStd);
  }

  /** {@inheritDoc} The mean from {@link Mlp#values} where it applies. */
  @Override
  public Distribution forwardValues(Params params, Tensor obs) {
    Tensor ls = params.get(LOG_STD);
    Tensor mean = ls.dataType() == DataType.FLOAT ? mlp.values(params, obs) : null;
    if (mean == null) {
      return super.forwardValues(params, obs);
    }
    try (Tape.Scope s = Tape.noGrad()) {
      return new Gaussian(mean, ls.detach().clampMin(Math.log(spec.minStd())));
    }
  }

  /** {@inheritDoc} The mean from {@link Mlp#values} where it applies, the draws as {@link Gaussian}'s. */
  @Override
  public double[] act(Params params, double[] obs, int tasks, int rows, SplittableRandom rng,
      java.util.List<SplittableRandom> perTask) {
    Tensor ls = params.get(LOG_STD);
    float[] mean = ls.dataType() == DataType.FLOAT ? mlp.values(params, obs, tasks, rows) : null;
    if (mean == null) {
      return super.act(params, obs, tasks, rows, rng, perTask);
    }
    double[] mu = new double[mean.length];
    for (int i = 0; i < mu.length; i++) {
      mu[i] = mean[i];
    }
    if (rng == null && perTask == null) {
      return mu;
    }
    // forward's clampMin, in float32 as ND4J applies it to a float32 array.
    float floor = (float) Math.log(spec.minStd());
    double[] logStds = ls.toDoubles();
    for (int j = 0; j < logStds.length; j++) {
      logStds[j] = Math.max((float) logStds[j], floor);
    }
    int d = actSpace.flatSize();
    return Gaussian.draw(mu, logStds, d, rows * d, rng != null ? java.util.List.of(rng) : perTask, rng != null);
  }

  /** Diagonal Gaussian with mean [T, N, d] and log-std broadcastable to it. */
  static final class Gaussian implements Distribution {
    private static final double LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private final Tensor mean;
    private final Tensor logStd;

    Gaussian(Tensor mean, Tensor logStd) {
      this.mean = mean;
      this.logStd = logStd;
    }

    @Override
    public Tensor logProb(Tensor actions) {
      Tensor z = actions.sub(mean).mul(logStd.neg().exp());
      int d = (int) mean.size(2);
      // -0.5 z^2 - log σ - log sqrt(2π), summed over action dimensions.
      Tensor perDim = z.square().scale(-0.5).sub(logStd);
      return perDim.sum(2).addScalar(-d * LOG_SQRT_2PI);
    }

    @Override
    public Tensor kl(Distribution other) {
      Gaussian q = (Gaussian) other;
      // KL(p||q) = log σq - log σp + (σp² + (μp - μq)²) / (2 σq²) - 1/2, per dimension.
      Tensor varP = logStd.scale(2).exp();
      Tensor invVarQ = q.logStd.scale(-2).exp();
      Tensor diff2 = mean.sub(q.mean).square();
      Tensor perDim = q.logStd.sub(logStd).add(varP.add(diff2).mul(invVarQ).scale(0.5)).addScalar(-0.5);
      return perDim.sum(2);
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
      int d = (int) mean.size(2);
      return draw(mean.toDoubles(), logStd.toDoubles(), d, (int) (mean.size(1) * d), rngs, one);
    }

    /**
     * mu + σ ε per value, ε from the stream of the value's task ({@code perTask} values each), or
     * all from one stream when {@code one}.
     */
    static double[] draw(double[] mu, double[] logStds, int d, int perTask, java.util.List<SplittableRandom> rngs,
        boolean one) {
      // log-std is shared ([1, d]) or per task ([T, 1, d]) after adaptation.
      boolean shared = logStds.length == d;
      double[] out = new double[mu.length];
      if (!one && rngs.size() != mu.length / perTask) {
        throw new IllegalArgumentException(rngs.size() + " task streams for " + mu.length / perTask + " tasks");
      }
      for (int i = 0; i < mu.length; i++) {
        int j = shared ? i % d : (i / perTask) * d + i % d;
        out[i] = mu[i] + Math.exp(logStds[j]) * rngs.get(one ? 0 : i / perTask).nextGaussian();
      }
      return out;
    }

    @Override
    public double[] mode() {
      return mean.toDoubles();
    }

    @Override
    public Distribution detach() {
      return new Gaussian(mean.detach(), logStd.detach());
    }

    @Override
    public Distribution map(java.util.function.UnaryOperator<Tensor> f) {
      return new Gaussian(f.apply(mean), f.apply(logStd));
    }
  }
}
