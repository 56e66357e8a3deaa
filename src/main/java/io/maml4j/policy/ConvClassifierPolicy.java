package io.maml4j.policy;

import io.maml4j.autodiff.Conv;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.env.Space;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An image classifier for N-way few-shot classification (Finn et al. 2017, Section 5.2): the
 * blocks of a {@link ConvSpec}, then a linear layer from the flattened features to N logits, as
 * a {@link Distribution} over the N labels. Observations are images flattened in C, H, W order
 * from a Box of shape [C, H, W]; actions (labels) are Discrete(N). Train it with the
 * cross-entropy, {@code -log p(label)}.
 *
 * <p>Parameters, shared or stacked per task: {@code block<b>.conv.weight} [F, C, K, K], {@code
 * block<b>.conv.bias} [F], {@code block<b>.bn.gamma} and {@code .beta} [F] (with batch norm),
 * {@code head.weight} [D, N], {@code head.bias} [1, N]. Batch norm always uses the statistics of
 * the batch it is given (per task), and its scale and shift are adapted in the inner loop like
 * every other parameter.
 */
public final class ConvClassifierPolicy implements Policy {
  /** Batch norm's variance floor (TensorFlow's and PyTorch's default order of magnitude). */
  static final double BN_EPS = 1e-5;

  private final PolicySpec spec;
  private final ConvSpec conv;
  private final Box obsSpace;
  private final Discrete actSpace;
  private final long channels;
  private final long height;
  private final long width;
  private final long features;

  /**
   * @throws IllegalArgumentException unless the observation space is a Box [C, H, W] that the
   *     blocks do not shrink to nothing, and the action space is Discrete
   */
  public ConvClassifierPolicy(PolicySpec spec, Space observationSpace, Space actionSpace) {
    if (!spec.type().equals("conv-classifier")) {
      throw new IllegalArgumentException("ConvClassifierPolicy needs a conv-classifier spec, got " + spec.type());
    }
    if (!(observationSpace instanceof Box ob) || ob.shape().length != 3) {
      throw new IllegalArgumentException("conv-classifier needs a Box observation space of shape [C, H, W], got "
          + observationSpace);
    }
    if (!(actionSpace instanceof Discrete d)) {
      throw new IllegalArgumentException("conv-classifier needs a Discrete action space (the labels), got "
          + actionSpace);
    }
    this.spec = spec;
    this.conv = spec.conv();
    this.obsSpace = ob;
    this.actSpace = d;
    int[] s = ob.shape();
    channels = s[0];
    height = s[1];
    width = s[2];
    long oh = conv.outSize(height);
    long ow = conv.outSize(width);
    if (oh < 1 || ow < 1 || (conv.pooling().equals("max") && minSizeBeforeLastPool() < 2)) {
      throw new IllegalArgumentException(conv.blocks() + " blocks of " + conv.pooling() + " downsampling shrink "
          + height + "x" + width + " images to nothing; use fewer blocks");
    }
    int[] f = conv.filters();
    features = f[f.length - 1] * oh * ow;
    long count = conv.parameterCount(channels, height, width, d.n());
    if (count > PolicySpec.MAX_PARAMETERS) {
      throw new IllegalArgumentException("conv blocks " + conv + " on " + Arrays.toString(s) + " images make "
          + count + " parameters, more than the limit of " + PolicySpec.MAX_PARAMETERS);
    }
  }

  private long minSizeBeforeLastPool() {
    long m = Math.min(height, width);
    for (int b = 0; b < conv.blocks() - 1; b++) {
      m /= 2;
    }
    return m;
  }

  @Override
  public Space observationSpace() {
    return obsSpace;
  }

  @Override
  public Space actionSpace() {
    return actSpace;
  }

  @Override
  public PolicySpec spec() {
    return spec;
  }

  /** The parameter names in order. */
  public List<String> names() {
    List<String> n = new ArrayList<>();
    for (int b = 0; b < conv.blocks(); b++) {
      n.add("block" + b + ".conv.weight");
      n.add("block" + b + ".conv.bias");
      if (conv.batchNorm()) {
        n.add("block" + b + ".bn.gamma");
        n.add("block" + b + ".bn.beta");
      }
    }
    n.add("head.weight");
    n.add("head.bias");
    return n;
  }

  /**
   * Xavier-uniform filters and head (fan-in C*K*K, fan-out F*K*K for a filter bank), zero
   * biases and shifts, unit batch-norm scales.
   */
  @Override
  public Params init(SplittableRandom rng, DataType type) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    long in = channels;
    int k = conv.kernel();
    int[] filters = conv.filters();
    for (int b = 0; b < filters.length; b++) {
      long f = filters[b];
      m.put("block" + b + ".conv.weight", Tensor.variable(xavier(rng, type, in * k * k, f * k * k, f, in, k, k)));
      m.put("block" + b + ".conv.bias", Tensor.variable(Nd4j.zeros(type, f)));
      if (conv.batchNorm()) {
        m.put("block" + b + ".bn.gamma", Tensor.variable(Nd4j.ones(type, f)));
        m.put("block" + b + ".bn.beta", Tensor.variable(Nd4j.zeros(type, f)));
      }
      in = f;
    }
    m.put("head.weight", Tensor.variable(xavier(rng, type, features, actSpace.n(), features, actSpace.n())));
    m.put("head.bias", Tensor.variable(Nd4j.zeros(type, 1, actSpace.n())));
    return new Params(m);
  }

  private static INDArray xavier(SplittableRandom rng, DataType type, long fanIn, long fanOut, long... shape) {
    double a = Math.sqrt(6.0 / (fanIn + fanOut));
    long n = 1;
    for (long s : shape) {
      n *= s;
    }
    double[] w = new double[Math.toIntExact(n)];
    for (int i = 0; i < w.length; i++) {
      w[i] = (2 * rng.nextDouble() - 1) * a;
    }
    return Nd4j.create(w, shape, DataType.DOUBLE).castTo(type);
  }

  /**
   * The logits [T, N, classes] of images [T, N, C*H*W], with shared parameters or parameters
   * stacked per task; differentiable in both.
   */
  public Tensor logits(Params p, Tensor obs) {
    if (obs.rank() != 3 || obs.size(2) != channels * height * width) {
      throw new IllegalArgumentException("conv-classifier needs observations [T, N, " + channels * height * width
          + "], got " + Arrays.toString(obs.shape()));
    }
    long t = obs.size(0);
    long n = obs.size(1);
    // Conv's layout is [T, C, N, H, W]; for one channel that is only a reshape.
    Tensor h = channels == 1 ? obs.reshape(t, 1, n, height, width)
        : obs.reshape(t, n, channels, height, width).permute(0, 2, 1, 3, 4);
    int pad = (conv.kernel() - 1) / 2;
    boolean max = conv.pooling().equals("max");
    for (int b = 0; b < conv.blocks(); b++) {
      String pre = "block" + b;
      h = Conv.conv2d(h, p.get(pre + ".conv.weight"), p.get(pre + ".conv.bias"), max ? 1 : 2, pad);
      if (conv.batchNorm()) {
        h = Conv.batchNorm(h, p.get(pre + ".bn.gamma"), p.get(pre + ".bn.beta"), BN_EPS);
      }
      h = h.relu();
      if (max) {
        h = Conv.maxPool2x2(h);
      }
    }
    // Features in C, H, W order per image, as the head's rows have always been laid out.
    return h.permute(0, 2, 1, 3, 4).reshape(t, n, features).matmul(p.get("head.weight")).add(p.get("head.bias"));
  }

  @Override
  public Distribution forward(Params params, Tensor obs) {
    return CategoricalMlpPolicy.Categorical.fromLogits(logits(params, obs));
  }
}
