package io.maml4j.autodiff;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.convolution.Convolution;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The operations of a convolutional network on the tape: 2D convolution with stride and zero
 * padding, 2x2 max-pooling, and batch normalisation with the statistics of the current batch,
 * each with backward rules built from tape operations so that gradients are differentiable again
 * (MAML's meta-gradient through an inner step of a conv net, Finn et al. 2017, Section 5.2).
 *
 * <p><b>Layout.</b> Images are NCHW with a leading task axis: {@code [T, B, C, H, W]} (T tasks,
 * B images per task). NCHW because ND4J's native {@code im2col}/{@code col2im} kernels take
 * NCHW, so the images go to them without a transpose; and because the observation spaces store
 * an image flat in C, H, W order.
 *
 * <p><b>Per-task parameters.</b> MAML adapts one copy of the parameters per task, stacked on a
 * leading axis of size T ({@code Params.repeatPerTask}). A convolution is therefore written as
 * im2col followed by a batched matrix product, one per image: the filters of the image's task,
 * {@code [F, C*K*K]}, times its patches {@code [C*K*K, OH*OW]}, which gives NCHW output with no
 * transpose. Each task's filters are broadcast to its B images (shared filters to all), whose
 * adjoint sums the B per-image filter gradients back. The alternative, ND4J's fused conv2d,
 * takes a single set of filters, so it would need one call per task, and its backward op
 * (conv2d_bp) computes both gradients at once and is not differentiable again on this tape.
 *
 * <p><b>Why the backward passes are exact to any order.</b> Every new primitive here is linear in
 * its tensor input, with its adjoint as its backward rule: im2col and col2im are each other's
 * adjoints, and max-pooling gathers each window's maximum at indices fixed by the forward pass
 * (piecewise linear, like ReLU), the adjoint of scattering back to those indices. Batch
 * normalisation is written entirely with existing tape operations. Higher derivatives then
 * follow from the tape's own rules.
 */
public final class Conv {
  private Conv() {}

  /**
   * The geometry of a convolution: kernel size, stride and zero padding, the same along height
   * and width.
   */
  public record Window(int kernel, int stride, int padding) {
    /** Validates that kernel and stride are at least 1 and padding at least 0. */
    public Window {
      if (kernel < 1 || stride < 1 || padding < 0) {
        throw new IllegalArgumentException("a convolution needs kernel >= 1, stride >= 1 and padding >= 0, got kernel "
            + kernel + ", stride " + stride + ", padding " + padding);
      }
    }

    /**
     * The output size along one axis of input size {@code in}: {@code (in + 2p - k) / s + 1}.
     *
     * @throws IllegalArgumentException when the kernel is larger than the padded input
     */
    public long outSize(long in) {
      long padded = in + 2L * padding;
      if (padded < kernel) {
        throw new IllegalArgumentException("kernel " + kernel + " is larger than the input of size " + in
            + " with padding " + padding + " (" + padded + ")");
      }
      return (padded - kernel) / stride + 1;
    }
  }

  /**
   * 2D convolution (cross-correlation, as in every deep-learning library) of images {@code x}
   * [T, B, C, H, W] with filters {@code weight} [F, C, K, K] shared by all tasks or [T, F, C, K, K]
   * one set per task, plus {@code bias} [F] or [T, F] (null for none).
   *
   * @return [T, B, F, OH, OW]
   */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
    if (x.rank() != 5) {
      throw new IllegalArgumentException("conv2d needs images [T, B, C, H, W], got " + Arrays.toString(x.shape()));
    }
    boolean perTask = weight.rank() == 5;
    if (weight.rank() != 4 && !perTask) {
      throw new IllegalArgumentException("conv2d needs filters [F, C, K, K] or [T, F, C, K, K], got "
          + Arrays.toString(weight.shape()));
    }
    long t = x.size(0);
    long b = x.size(1);
    long c = x.size(2);
    long h = x.size(3);
    long w = x.size(4);
    long[] ws = weight.shape();
    int o = perTask ? 1 : 0;
    long f = ws[o];
    if (ws[o + 1] != c || ws[o + 2] != ws[o + 3] || (perTask && ws[0] != t)) {
      throw new IllegalArgumentException("conv2d filters " + Arrays.toString(ws) + " do not fit images "
          + Arrays.toString(x.shape()) + ": need [F, " + c + ", K, K]" + (perTask ? " per task (" + t + ")" : ""));
    }
    Window win = new Window((int) ws[o + 2], stride, padding);
    long oh = win.outSize(h);
    long ow = win.outSize(w);
    long patch = c * win.kernel() * win.kernel();
    // [T*B, C, K, K, OH, OW] is already [T*B, C*K*K, OH*OW]: one column per output position.
    Tensor cols = im2col(x.reshape(t * b, c, h, w), win).reshape(t * b, patch, oh * ow);
    Tensor filters = weight.reshape(perTask ? t : 1, 1, f, patch).broadcastTo(t, b, f, patch).reshape(t * b, f, patch);
    Tensor out = filters.matmul(cols).reshape(t, b, f, oh, ow);
    if (bias != null) {
      out = out.add(bias.reshape(perTask ? t : 1, 1, f, 1, 1));
    }
    return out;
  }

  /**
   * 2x2 max-pooling with stride 2 of images [T, B, C, H, W], dropping a last odd row or column
   * (floor mode, as TensorFlow's VALID pooling the MAML code uses: 28, 14, 7, 3, 1).
   *
   * <p>The gradient flows to one maximum per window, the first in row-major order when several
   * are equal: blank image regions give many equal activations, and sending the gradient to all
   * of them would also double the pooled value.
   */
  public static Tensor maxPool2x2(Tensor x) {
    if (x.rank() != 5 || x.size(3) < 2 || x.size(4) < 2) {
      throw new IllegalArgumentException("maxPool2x2 needs images [T, B, C, H, W] with H, W >= 2, got "
          + Arrays.toString(x.shape()));
    }
    long[] s = x.shape();
    long[] out = {s[0], s[1], s[2], s[3] / 2, s[4] / 2};
    return gather(x, firstMaxIndices(x.value()), out);
  }

  /**
   * Batch normalisation in training mode (Ioffe and Szegedy 2015): each channel of each task's
   * images is normalised with the mean and (biased) variance over that task's batch and pixels,
   * then scaled by {@code gamma} and shifted by {@code beta} ([C] shared or [T, C] per task).
   *
   * <p>The MAML paper's network uses the current batch's statistics at meta-train and meta-test
   * alike (no running averages), and per task: a task's support and query sets are normalised
   * separately, and one task never sees another's statistics. The statistics are functions of
   * the input on the tape, so their derivatives are part of every gradient.
   */
  public static Tensor batchNorm(Tensor x, Tensor gamma, Tensor beta, double eps) {
    if (x.rank() != 5) {
      throw new IllegalArgumentException("batchNorm needs images [T, B, C, H, W], got " + Arrays.toString(x.shape()));
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("batchNorm needs eps > 0, got " + eps);
    }
    long t = x.size(0);
    long c = x.size(2);
    double m = (double) x.size(1) * x.size(3) * x.size(4);
    Tensor mean = x.sum(1, 3, 4).scale(1.0 / m);
    Tensor centred = x.sub(mean);
    Tensor var = centred.square().sum(1, 3, 4).scale(1.0 / m);
    // 1 / sqrt(var + eps) as exp(-log(var + eps) / 2): the tape has no sqrt, and this is smooth.
    Tensor invStd = var.addScalar(eps).log().scale(-0.5).exp();
    Tensor y = centred.mul(invStd);
    return y.mul(channelShaped(gamma, t, c)).add(channelShaped(beta, t, c));
  }

  private static Tensor channelShaped(Tensor p, long t, long c) {
    if (p.rank() == 1 && p.size(0) == c) {
      return p.reshape(1, 1, c, 1, 1);
    }
    if (p.rank() == 2 && p.size(0) == t && p.size(1) == c) {
      return p.reshape(t, 1, c, 1, 1);
    }
    throw new IllegalArgumentException("batchNorm scale and shift must be [" + c + "] or [" + t + ", " + c + "], got "
        + Arrays.toString(p.shape()));
  }

  // ---- linear primitives, each the backward rule of the other ----

  /** Patches of images [N, C, H, W] as [N, C, K, K, OH, OW] (zeros where the window leaves the image). */
  static Tensor im2col(Tensor x, Window win) {
    long h = x.size(2);
    long w = x.size(3);
    INDArray v = im2colKernel(x.value(), win);
    return Tensor.node(v, "im2col", g -> new Tensor[] {col2im(g, win, h, w)}, x);
  }

  /** The adjoint of {@link #im2col}: adds every patch entry back onto the pixel it came from. */
  static Tensor col2im(Tensor cols, Window win, long h, long w) {
    INDArray v = col2imKernel(cols.value(), win, h, w);
    return Tensor.node(v, "col2im", g -> new Tensor[] {im2col(g, win)}, cols);
  }

  /** The elements of {@code x} at flat (row-major) indices {@code idx}, shaped {@code shape}. */
  static Tensor gather(Tensor x, int[] idx, long[] shape) {
    long[] from = x.shape();
    INDArray v = gatherKernel(x.value(), idx, shape);
    return Tensor.node(v, "gather", g -> new Tensor[] {scatter(g, idx, from)}, x);
  }

  /** The adjoint of {@link #gather}: zeros of {@code shape} plus {@code g}'s elements added at {@code idx}. */
  static Tensor scatter(Tensor g, int[] idx, long[] shape) {
    long[] from = g.shape();
    INDArray v = scatterKernel(g.value(), idx, shape);
    return Tensor.node(v, "scatter", gg -> new Tensor[] {gather(gg, idx, from)}, g);
  }

  // ---- kernels ----

  private static INDArray im2colKernel(INDArray x, Window win) {
    long t0 = System.nanoTime();
    long oh = win.outSize(x.size(2));
    long ow = win.outSize(x.size(3));
    int k = win.kernel();
    INDArray out = Arena.allocate(x.dataType(), x.size(0), x.size(1), k, k, oh, ow);
    Convolution.im2col(dense(x), k, k, win.stride(), win.stride(), win.padding(), win.padding(), 1, 1, false, out);
    Kernels.record("im2col", t0);
    return out;
  }

  private static INDArray col2imKernel(INDArray cols, Window win, long h, long w) {
    long t0 = System.nanoTime();
    // col2im accumulates overlapping patches, so its output starts from zeros.
    INDArray out = Arena.allocate(cols.dataType(), cols.size(0), cols.size(1), h, w).assign(0);
    // ND4J's col2im takes the image height and width where its config has kH and kW.
    Convolution.col2im(dense(cols), out, win.stride(), win.stride(), win.padding(), win.padding(), (int) h, (int) w,
        1, 1);
    Kernels.record("col2im", t0);
    return out;
  }

  /**
   * The flat index of the first maximum (row-major within the window) of every 2x2 window of
   * [T, B, C, H, W], a last odd row or column left out. ND4J's max-pooling ops do not say which
   * of equal maxima they pick, and blank image regions make equal maxima common, so the windows
   * are walked here: one pass over the array, on the CPU either way.
   */
  static int[] firstMaxIndices(INDArray x) {
    long t0 = System.nanoTime();
    long[] s = x.shape();
    int planes = Math.toIntExact(s[0] * s[1] * s[2]);
    int h = (int) s[3];
    int w = (int) s[4];
    int h2 = h / 2;
    int w2 = w / 2;
    double[] v = doubles(x);
    int[] idx = new int[planes * h2 * w2];
    int o = 0;
    for (int p = 0; p < planes; p++) {
      int base = p * h * w;
      for (int i = 0; i < h2; i++) {
        for (int j = 0; j < w2; j++) {
          int a = base + 2 * i * w + 2 * j;
          int best = a;
          if (v[a + 1] > v[best]) {
            best = a + 1;
          }
          if (v[a + w] > v[best]) {
            best = a + w;
          }
          if (v[a + w + 1] > v[best]) {
            best = a + w + 1;
          }
          idx[o++] = best;
        }
      }
    }
    Kernels.record("maxIndices", t0);
    return idx;
  }

  // Gather and scatter by index are hand-written: ND4J 1.0.0-M2.1 has no flat-index gather of
  // its own on the tape's arrays, and a loop over a copied Java array is one pass either way.

  private static INDArray gatherKernel(INDArray x, int[] idx, long[] shape) {
    long t0 = System.nanoTime();
    double[] v = doubles(x);
    double[] out = new double[idx.length];
    for (int i = 0; i < idx.length; i++) {
      out[i] = v[idx[i]];
    }
    INDArray z = array(out, shape, x.dataType());
    Kernels.record("gather", t0);
    return z;
  }

  private static INDArray scatterKernel(INDArray g, int[] idx, long[] shape) {
    long t0 = System.nanoTime();
    double[] v = doubles(g);
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    double[] out = new double[Math.toIntExact(n)];
    for (int i = 0; i < idx.length; i++) {
      out[idx[i]] += v[i];
    }
    INDArray z = array(out, shape, g.dataType());
    Kernels.record("scatter", t0);
    return z;
  }

  private static double[] doubles(INDArray a) {
    return dense(a).data().asDouble();
  }

  private static INDArray array(double[] v, long[] shape, org.nd4j.linalg.api.buffer.DataType type) {
    if (type == org.nd4j.linalg.api.buffer.DataType.FLOAT) {
      float[] f = new float[v.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) v[i];
      }
      return Arena.track(Nd4j.create(f, shape, type));
    }
    return Arena.track(Nd4j.create(v, shape, type));
  }

  private static INDArray dense(INDArray a) {
    boolean ok = a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a) && !a.isView();
    return ok ? a : Arena.track(a.dup('c'));
  }
}
