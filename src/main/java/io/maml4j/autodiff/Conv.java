package io.maml4j.autodiff;

import java.nio.FloatBuffer;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The operations of a convolutional network on the tape: 2D convolution with stride and zero
 * padding, 2x2 max-pooling, and batch normalisation with the statistics of the current batch,
 * each with backward rules built from tape operations so that gradients are differentiable again
 * (MAML's meta-gradient through an inner step of a conv net, Finn et al. 2017, Section 5.2).
 *
 * <p><b>Layout.</b> Images are {@code [T, C, B, H, W]}: T tasks, and within a task channel by
 * channel, each channel holding the B images of the task. Channel-major within a task because it
 * turns a task's whole convolution into one matrix product, its filters {@code [F, C*K*K]} times
 * the patches of all its images {@code [C*K*K, B*OH*OW]}, whose output {@code [F, B*OH*OW]} is
 * the next layer's input in the same layout with no transpose; and because batch normalisation's
 * statistics over a task's images and pixels are then one contiguous row per channel. The
 * image-major alternative (NCHW per image, which ND4J's own im2col takes, and this class's first
 * layout) needs one product per image, with the task's filters copied to every image and summed
 * back in the backward pass. On glyphs 5-way 1-shot at meta-batch 8 (one query per class, one
 * thread, other work paused) the two ran their products at the same 41-46 GFLOP/s, but the
 * copies, sums and double-precision index passes made the whole kernel time per 3 iterations
 * 7.5-7.7 s there against 5.3-6.9 s here. {@code ConvClassifierPolicy} turns its [T, B, C*H*W]
 * observations into this layout and its features back.
 *
 * <p><b>Per-task parameters.</b> MAML adapts one copy of the parameters per task, stacked on a
 * leading axis of size T ({@code Params.repeatPerTask}); shared filters are broadcast to the
 * tasks (a copy of F*C*K*K per task, small beside the patches), whose adjoint sums their
 * gradients. ND4J's fused conv2d takes a single set of filters and NCHW images, and its backward
 * op (conv2d_bp) computes both gradients at once and is not differentiable again on this tape.
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
   * [T, C, B, H, W] with filters {@code weight} [F, C, K, K] shared by all tasks or [T, F, C, K, K]
   * one set per task, plus {@code bias} [F] or [T, F] (null for none).
   *
   * @return [T, F, B, OH, OW]
   */
  public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, int stride, int padding) {
    if (x.rank() != 5) {
      throw new IllegalArgumentException("conv2d needs images [T, C, B, H, W], got " + Arrays.toString(x.shape()));
    }
    boolean perTask = weight.rank() == 5;
    if (weight.rank() != 4 && !perTask) {
      throw new IllegalArgumentException("conv2d needs filters [F, C, K, K] or [T, F, C, K, K], got "
          + Arrays.toString(weight.shape()));
    }
    long t = x.size(0);
    long c = x.size(1);
    long b = x.size(2);
    long[] ws = weight.shape();
    int o = perTask ? 1 : 0;
    long f = ws[o];
    if (ws[o + 1] != c || ws[o + 2] != ws[o + 3] || (perTask && ws[0] != t)) {
      throw new IllegalArgumentException("conv2d filters " + Arrays.toString(ws) + " do not fit images "
          + Arrays.toString(x.shape()) + ": need [F, " + c + ", K, K]" + (perTask ? " per task (" + t + ")" : ""));
    }
    Window win = new Window((int) ws[o + 2], stride, padding);
    long oh = win.outSize(x.size(3));
    long ow = win.outSize(x.size(4));
    long patch = c * win.kernel() * win.kernel();
    // [T, C, K, K, B, OH, OW] is already [T, C*K*K, B*OH*OW]: one column per output pixel.
    Tensor cols = im2col(x, win).reshape(t, patch, b * oh * ow);
    Tensor filters = weight.reshape(perTask ? t : 1, f, patch);
    if (!perTask && t > 1) {
      filters = filters.broadcastTo(t, f, patch);
    }
    Tensor out = filters.matmul(cols);
    if (bias != null) {
      out = out.add(bias.reshape(perTask ? t : 1, f, 1));
    }
    return out.reshape(t, f, b, oh, ow);
  }

  /**
   * 2x2 max-pooling with stride 2 of images [T, C, B, H, W], dropping a last odd row or column
   * (floor mode, as TensorFlow's VALID pooling the MAML code uses: 28, 14, 7, 3, 1).
   *
   * <p>The gradient flows to one maximum per window, the first in row-major order when several
   * are equal: blank image regions give many equal activations, and sending the gradient to all
   * of them would also double the pooled value.
   */
  public static Tensor maxPool2x2(Tensor x) {
    if (x.rank() != 5 || x.size(3) < 2 || x.size(4) < 2) {
      throw new IllegalArgumentException("maxPool2x2 needs images [T, C, B, H, W] with H, W >= 2, got "
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
      throw new IllegalArgumentException("batchNorm needs images [T, C, B, H, W], got " + Arrays.toString(x.shape()));
    }
    if (!(eps > 0)) {
      throw new IllegalArgumentException("batchNorm needs eps > 0, got " + eps);
    }
    long[] shape = x.shape();
    long t = shape[0];
    long c = shape[1];
    long m = shape[2] * shape[3] * shape[4];
    // Each task's channel is one contiguous row of its images' pixels.
    Tensor rows = x.reshape(t, c, m);
    Tensor mean = rows.sum(2).scale(1.0 / m);
    Tensor centred = rows.sub(mean);
    Tensor var = centred.square().sum(2).scale(1.0 / m);
    // 1 / sqrt(var + eps) as exp(-log(var + eps) / 2): the tape has no sqrt, and this is smooth.
    Tensor invStd = var.addScalar(eps).log().scale(-0.5).exp();
    Tensor y = centred.mul(invStd.mul(channelShaped(gamma, t, c))).add(channelShaped(beta, t, c));
    return y.reshape(shape);
  }

  private static Tensor channelShaped(Tensor p, long t, long c) {
    if (p.rank() == 1 && p.size(0) == c) {
      return p.reshape(1, c, 1);
    }
    if (p.rank() == 2 && p.size(0) == t && p.size(1) == c) {
      return p.reshape(t, c, 1);
    }
    throw new IllegalArgumentException("batchNorm scale and shift must be [" + c + "] or [" + t + ", " + c + "], got "
        + Arrays.toString(p.shape()));
  }

  // ---- linear primitives, each the backward rule of the other ----

  /**
   * Patches of images [T, C, B, H, W] as [T, C, K, K, B, OH, OW] (zeros where the window leaves the
   * image).
   */
  static Tensor im2col(Tensor x, Window win) {
    long h = x.size(3);
    long w = x.size(4);
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
  //
  // Hand-written: ND4J's im2col and col2im take NCHW images, one patch matrix per image, not
  // this layout; and ND4J 1.0.0-M2.1 has no flat-index gather or scatter-add on the tape's
  // arrays. Each kernel loops over heap copies (float[] for float32, double[] otherwise, exact in
  // float64 for the gradient checks), moved in and out of the off-heap buffers in bulk.

  /**
   * The walk that im2col and col2im share. The patch columns come in groups, one per (task,
   * channel, kernel offset), each the B*OH*OW contiguous entries of its kernel offset for all the
   * task's images; within a group, every output row whose input row lies inside the image has a
   * run of output columns whose input columns do, {@code stride} apart in the image.
   */
  private interface Patches {
    /** The next group: {@code len} columns from column {@code col} of the patch array. */
    default void open(int col, int len) {}

    /** A run of the open group: its columns from {@code at}, the image's pixels from {@code pixel}. */
    void run(int at, int pixel, int len);

    /** The end of the open group. */
    default void close() {}
  }

  /** A run of the walk with its columns from {@code col} of the whole patch array. */
  private interface Run {
    void at(int col, int pixel, int len);
  }

  private static void walk(long[] image, Window win, Run run) {
    walk(image, win, new Patches() {
      int col;

      @Override
      public void open(int c, int len) {
        col = c;
      }

      @Override
      public void run(int at, int pixel, int len) {
        run.at(col + at, pixel, len);
      }
    });
  }

  private static int groupLength(long[] image, Window win) {
    return Math.toIntExact(image[2] * win.outSize(image[3]) * win.outSize(image[4]));
  }

  private static void walk(long[] image, Window win, Patches patches) {
    int planes = Math.toIntExact(image[0] * image[1]);
    int b = (int) image[2];
    int h = (int) image[3];
    int w = (int) image[4];
    int k = win.kernel();
    int s = win.stride();
    int pad = win.padding();
    int oh = (int) win.outSize(h);
    int ow = (int) win.outSize(w);
    int group = groupLength(image, win);
    int col = 0;
    for (int plane = 0; plane < planes; plane++) {
      for (int p = 0; p < k; p++) {
        for (int q = 0; q < k; q++, col += group) {
          patches.open(col, group);
          // Output columns j with 0 <= j*s + q - pad < w.
          int lo = Math.max(0, -Math.floorDiv(q - pad, s));
          int hi = Math.min(ow - 1, Math.floorDiv(w - 1 + pad - q, s));
          for (int img = 0, at = 0; img < b; img++) {
            int base = (plane * b + img) * h * w;
            for (int i = 0; i < oh; i++, at += ow) {
              int r = i * s + p - pad;
              if (r >= 0 && r < h && lo <= hi) {
                patches.run(at + lo, base + r * w + lo * s + q - pad, hi - lo + 1);
              }
            }
          }
          patches.close();
        }
      }
    }
  }

  // The patch array is 9x the image for 3x3 kernels (36 MB per layer of a glyph meta-batch), so
  // it streams through one group's scratch row to and from the off-heap buffer; only the image
  // side is a heap copy.

  private static INDArray im2colKernel(INDArray x, Window win) {
    long t0 = System.nanoTime();
    long[] s = x.shape();
    int k = win.kernel();
    long[] shape = {s[0], s[1], k, k, s[2], win.outSize(s[3]), win.outSize(s[4])};
    int n = Math.toIntExact(s[0] * s[1] * k * k * shape[4] * shape[5] * shape[6]);
    int group = groupLength(s, win);
    int stride = win.stride();
    Object in = heap(x);
    INDArray out;
    if (in instanceof float[] src) {
      out = Arena.allocate(DataType.FLOAT, shape);
      FloatBuffer dst = out.data().asNioFloat();
      float[] row = new float[group];
      walk(s, win, new Patches() {
        int col;

        @Override
        public void open(int c, int len) {
          col = c;
          Arrays.fill(row, 0f);
        }

        @Override
        public void run(int at, int pixel, int len) {
          if (stride == 1) {
            System.arraycopy(src, pixel, row, at, len);
            return;
          }
          for (int j = 0; j < len; j++) {
            row[at + j] = src[pixel + j * stride];
          }
        }

        @Override
        public void close() {
          dst.put(col, row, 0, group);
        }
      });
    } else {
      double[] src = (double[]) in;
      double[] all = new double[n];
      // float64 (the gradient checks) and any other type: the whole patch array on the heap.
      walk(s, win, (Run) (col, pixel, len) -> {
        for (int j = 0; j < len; j++) {
          all[col + j] = src[pixel + j * stride];
        }
      });
      out = array(all, shape, x.dataType());
    }
    Kernels.record("im2col", t0);
    return out;
  }

  private static INDArray col2imKernel(INDArray cols, Window win, long h, long w) {
    long t0 = System.nanoTime();
    long[] c = cols.shape();
    long[] shape = {c[0], c[1], c[4], h, w};
    int k = win.kernel();
    if (c.length != 7 || c[2] != k || c[3] != k || c[5] != win.outSize(h) || c[6] != win.outSize(w)) {
      throw new IllegalArgumentException("col2im needs patches [T, C, " + k + ", " + k + ", B, " + win.outSize(h) + ", "
          + win.outSize(w) + "] for " + h + "x" + w + " images, got " + Arrays.toString(c));
    }
    int n = Math.toIntExact(c[0] * c[1] * c[4] * h * w);
    int group = groupLength(shape, win);
    int stride = win.stride();
    INDArray dense = dense(cols);
    int offset = Math.toIntExact(dense.offset());
    INDArray out;
    // Overlapping windows add onto the same pixel in a fixed order: the same result on every run.
    if (dense.dataType() == DataType.FLOAT) {
      FloatBuffer src = dense.data().asNioFloat();
      float[] row = new float[group];
      float[] dst = new float[n];
      walk(shape, win, new Patches() {
        @Override
        public void open(int col, int len) {
          src.get(offset + col, row, 0, group);
        }

        @Override
        public void run(int at, int pixel, int len) {
          if (stride == 1) {
            // Unit stride as its own loop, which the JIT vectorises.
            for (int j = 0; j < len; j++) {
              dst[pixel + j] += row[at + j];
            }
            return;
          }
          for (int j = 0; j < len; j++) {
            dst[pixel + j * stride] += row[at + j];
          }
        }
      });
      out = array(dst, shape);
    } else {
      double[] src = (double[]) heap(dense);
      double[] dst = new double[n];
      walk(shape, win, (Run) (col, pixel, len) -> {
        for (int j = 0; j < len; j++) {
          dst[pixel + j * stride] += src[col + j];
        }
      });
      out = array(dst, shape, cols.dataType());
    }
    Kernels.record("col2im", t0);
    return out;
  }

  /**
   * The flat index of the first maximum (row-major within the window) of every 2x2 window over
   * the last two axes of a rank-5 array, a last odd row or column left out. ND4J's max-pooling
   * ops do not say which of equal maxima they pick, and blank image regions make equal maxima
   * common, so the windows are walked here.
   */
  static int[] firstMaxIndices(INDArray x) {
    long t0 = System.nanoTime();
    long[] s = x.shape();
    int planes = Math.toIntExact(s[0] * s[1] * s[2]);
    int h = (int) s[3];
    int w = (int) s[4];
    int h2 = h / 2;
    int w2 = w / 2;
    Object in = heap(x);
    float[] f = in instanceof float[] a ? a : null;
    double[] d = f == null ? (double[]) in : null;
    int[] idx = new int[planes * h2 * w2];
    int o = 0;
    for (int p = 0; p < planes; p++) {
      int base = p * h * w;
      for (int i = 0; i < h2; i++) {
        for (int j = 0; j < w2; j++) {
          int a = base + 2 * i * w + 2 * j;
          idx[o++] = f != null ? firstMax(f, a, w) : firstMax(d, a, w);
        }
      }
    }
    Kernels.record("maxIndices", t0);
    return idx;
  }

  private static int firstMax(float[] v, int a, int w) {
    int best = a;
    if (v[a + 1] > v[best]) {
      best = a + 1;
    }
    if (v[a + w] > v[best]) {
      best = a + w;
    }
    return v[a + w + 1] > v[best] ? a + w + 1 : best;
  }

  private static int firstMax(double[] v, int a, int w) {
    int best = a;
    if (v[a + 1] > v[best]) {
      best = a + 1;
    }
    if (v[a + w] > v[best]) {
      best = a + w;
    }
    return v[a + w + 1] > v[best] ? a + w + 1 : best;
  }

  private static INDArray gatherKernel(INDArray x, int[] idx, long[] shape) {
    long t0 = System.nanoTime();
    Object in = heap(x);
    INDArray z;
    if (in instanceof float[] v) {
      float[] out = new float[idx.length];
      for (int i = 0; i < idx.length; i++) {
        out[i] = v[idx[i]];
      }
      z = array(out, shape);
    } else {
      double[] v = (double[]) in;
      double[] out = new double[idx.length];
      for (int i = 0; i < idx.length; i++) {
        out[i] = v[idx[i]];
      }
      z = array(out, shape, x.dataType());
    }
    Kernels.record("gather", t0);
    return z;
  }

  private static INDArray scatterKernel(INDArray g, int[] idx, long[] shape) {
    long t0 = System.nanoTime();
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    Object in = heap(g);
    INDArray z;
    if (in instanceof float[] v) {
      float[] out = new float[Math.toIntExact(n)];
      for (int i = 0; i < idx.length; i++) {
        out[idx[i]] += v[i];
      }
      z = array(out, shape);
    } else {
      double[] v = (double[]) in;
      double[] out = new double[Math.toIntExact(n)];
      for (int i = 0; i < idx.length; i++) {
        out[idx[i]] += v[i];
      }
      z = array(out, shape, g.dataType());
    }
    Kernels.record("scatter", t0);
    return z;
  }

  /** A dense C-order heap copy of {@code a}'s elements: float[] for float32, double[] otherwise. */
  private static Object heap(INDArray a) {
    INDArray d = dense(a);
    int n = Math.toIntExact(d.length());
    if (d.dataType() == DataType.FLOAT) {
      float[] f = new float[n];
      d.data().asNioFloat().get(Math.toIntExact(d.offset()), f, 0, n);
      return f;
    }
    INDArray dd = d.dataType() == DataType.DOUBLE ? d : Arena.track(d.castTo(DataType.DOUBLE));
    double[] v = new double[n];
    dd.data().asNioDouble().get(Math.toIntExact(dd.offset()), v, 0, n);
    return v;
  }

  private static INDArray array(float[] v, long[] shape) {
    INDArray z = Arena.allocate(DataType.FLOAT, shape);
    z.data().asNioFloat().put(0, v, 0, v.length);
    return z;
  }

  private static INDArray array(double[] v, long[] shape, DataType type) {
    if (type == DataType.DOUBLE) {
      INDArray z = Arena.allocate(DataType.DOUBLE, shape);
      z.data().asNioDouble().put(0, v, 0, v.length);
      return z;
    }
    return Arena.track(Nd4j.create(v, shape, DataType.DOUBLE).castTo(type));
  }

  /**
   * {@code a} itself when its elements lie in C order without gaps from its {@code offset()} (a
   * reshaped array is such a view), else a dense copy.
   */
  private static INDArray dense(INDArray a) {
    return FloatLoops.dense(a) && a.ordering() == 'c' ? a : Arena.track(a.dup('c'));
  }
}
