package io.maml4j.autodiff;

import java.nio.FloatBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A multilayer perceptron's curvature-vector passes in float32, walked block of rows by block of
 * rows: a forward-mode tangent through every layer, a closed-form head, and the reverse pass
 * (first order, or the tangent of an earlier reverse pass) back down, all for one block of
 * {@link #BLOCK} rows of one task before the next block starts. Only the weight and bias
 * gradients, sums over rows, outlive a block.
 *
 * <p>Why by hand: run layer by layer over a whole batch, as ND4J ops and {@link Fused} do, every
 * intermediate array ([tasks, rows, width], 5 MB at the default 2D-navigation sizes) is written to
 * memory by one pass and read back by the next, and on the project's 2-core machines those passes
 * ran several times slower inside the meta-step than alone: they were bound by memory traffic,
 * not arithmetic. Here the intermediates of a block (a few hundred KB) stay in the core's cache
 * between the products and the elementwise steps, and only the arrays the operator holds (the
 * forward pass's activations, the earlier reverse pass's gradients) stream from memory, once per
 * product. The products are the BLAS's {@code cblas_sgemm} on the blocks in place; the elementwise
 * steps copy a block to the heap, combine it in a plain loop the JIT vectorises, and copy it back,
 * as {@link FloatLoops} does.
 *
 * <p>Sums over rows accumulate block by block in a fixed order, so the results do not depend on
 * the thread that computes them; they differ from the unblocked passes' by float32 rounding only.
 */
public final class MlpBlocks {
  /**
   * Rows per block: at width 64 a block's intermediates and their heap copies take about 0.5 MB,
   * within a core's L2. Measured against 256 (scripts/bench-compare.sh, 4 rounds, default 2D
   * navigation): meta-step median 0.863 s at 256, 0.822 s at 128; 64 to 512 in a one-thread
   * microbenchmark of the pass differed by less than its noise, except 512, which was slower.
   */
  static final int BLOCK = 128;

  private static final AtomicLong PASSES = new AtomicLong();
  private static final AtomicLong BACKWARDS = new AtomicLong();

  private MlpBlocks() {}

  /** Blocked passes run so far in this process, so that tests can tell which path a product took. */
  public static long passes() {
    return PASSES.get();
  }

  /** What the head does between the forward tangent t at the outputs and the reverse pass. */
  public enum HeadKind {
    /** {@code g = a t}: a Gauss-Newton metric (a Gaussian's Fisher, mean part). */
    METRIC,
    /** {@code g = a t - k b s}, s one row per task; also Σ_rows b t per task (a Gaussian's inner HVP). */
    METRIC_MINUS_SHIFT,
    /** {@code g = c (p t - p Σ_last p t)}: a softmax's Jacobian, scaled per row by c [T, N, 1]. */
    SOFTMAX
  }

  /**
   * The head's arrays: {@code a} the metric [T, N, out] (METRIC, METRIC_MINUS_SHIFT) or the
   * probabilities p (SOFTMAX); {@code b} [T, N, out] and {@code shift} s [T or 1, 1, out] with
   * scale {@code k} (METRIC_MINUS_SHIFT); {@code rowScale} c [T, N, 1] (SOFTMAX). Unused ones null.
   */
  public record Head(HeadKind kind, Tensor a, Tensor b, Tensor shift, double k, Tensor rowScale) {
    /** The METRIC head: g = a t. */
    public static Head metric(Tensor a) {
      return new Head(HeadKind.METRIC, a, null, null, 0, null);
    }

    /** The METRIC_MINUS_SHIFT head: g = a t - k b s, with Σ_rows b t. */
    public static Head metricMinusShift(Tensor a, Tensor b, Tensor shift, double k) {
      return new Head(HeadKind.METRIC_MINUS_SHIFT, a, b, shift, k, null);
    }

    /** The SOFTMAX head: g = c (p t - p Σ_last p t). */
    public static Head softmax(Tensor p, Tensor rowScale) {
      return new Head(HeadKind.SOFTMAX, p, null, null, 0, rowScale);
    }
  }

  /**
   * The gradients a pass produces: per layer l, the weight gradient [T, n_l, n_l+1] and the bias
   * gradient [T, 1, n_l+1]; for METRIC_MINUS_SHIFT heads, Σ_rows b t [T, 1, out] (else null).
   */
  public record Result(Tensor[] weights, Tensor[] biases, Tensor headRowSum) {}

  /** Whether the blocked passes take these arrays: every one dense float32 (nulls ignored). */
  public static boolean applies(Tensor... xs) {
    for (Tensor x : xs) {
      if (x != null && (x.value().dataType() != DataType.FLOAT || !FloatLoops.dense(x.value()))) {
        return false;
      }
    }
    return true;
  }

  /**
   * One curvature pass along the direction (vw, vb), for every task's rows.
   *
   * <p>Forward: t_0 = 0, a'_l = h_l V_l + t_l W_l + b'_l, t_l+1 = act_l+1 a'_l; the head turns
   * the output tangent into g. Reverse, first order ({@code delta == null}): d_L-1 = g, ∇W_l =
   * h_l^T d_l, ∇b_l = Σ_rows d_l, d_l-1 = (d_l W_l^T) act_l. Second order (Pearlmutter's
   * R-operator of an earlier reverse pass with pre-activation gradients δ_l and, for tanh,
   * eh_l = -2 (δ_l W_l^T) h_l): ∇W_l = h_l^T d_l + t_l^T δ_l, d_l-1 = (d_l W_l^T + δ_l V_l^T)
   * act_l + eh_l t_l, where eh is null for ReLU (whose second derivative vanishes).
   *
   * @param h the layers' inputs h_l [T, N, n_l], h_0 the observations
   * @param tanh whether h_l = tanh(a_l-1) for l ≥ 1 (act_l = 1 - h_l²), else ReLU (act_l = [h_l > 0])
   * @param w the weights W_l, [n_l, n_l+1] shared or [T, n_l, n_l+1]
   * @param vw the direction's weights V_l, shaped as w
   * @param vb the direction's biases b'_l, [1, n_l+1] or [T, 1, n_l+1]
   * @param delta null (first order) or δ_l [T, N, n_l+1]
   * @param eh null, or for a second-order tanh pass eh_l [T, N, n_l] for l ≥ 1
   */
  public static Result pass(Tensor[] h, boolean tanh, Tensor[] w, Tensor[] vw, Tensor[] vb, Tensor[] delta,
      Tensor[] eh, Head head) {
    long t0 = System.nanoTime();
    PASSES.incrementAndGet();
    int layers = w.length;
    INDArray obs = h[0].value();
    int tasks = Math.toIntExact(obs.size(0));
    int rows = Math.toIntExact(obs.size(1));
    int[] width = widths(w);
    boolean second = delta != null;
    int out = width[layers];
    Work k = Work.get(max(width), layers);

    View[] hv = new View[layers];
    View[] dv = new View[layers];
    View[] ehv = new View[layers];
    View[] wv = new View[layers];
    View[] vwv = new View[layers];
    View[] vbv = new View[layers];
    Grads grads = new Grads(obs, tasks, width);
    for (int l = 0; l < layers; l++) {
      hv[l] = View.of(h[l].value(), (long) rows * width[l]);
      dv[l] = second ? View.of(delta[l].value(), (long) rows * width[l + 1]) : null;
      ehv[l] = eh == null || l == 0 ? null : View.of(eh[l].value(), (long) rows * width[l]);
      wv[l] = View.param(w[l].value(), (long) width[l] * width[l + 1]);
      vwv[l] = View.param(vw[l].value(), (long) width[l] * width[l + 1]);
      vbv[l] = View.param(vb[l].value(), width[l + 1]);
    }
    View av = View.of(head.a().value(), (long) rows * out);
    View bv = head.b() == null ? null : View.of(head.b().value(), (long) rows * out);
    View sv = head.shift() == null ? null : View.param(head.shift().value(), out);
    View cv = head.rowScale() == null ? null : View.of(head.rowScale().value(), rows);
    boolean rowSum = head.kind() == HeadKind.METRIC_MINUS_SHIFT;
    INDArray rs = rowSum ? Kernels.uninit(obs, tasks, 1, out) : null;
    View rsv = rowSum ? View.of(rs, out) : null;
    double[] rsAcc = new double[out];

    Blocks blocks = new Blocks(k, layers, width, second, tanh, rows, out, head, hv, dv, ehv, wv, vwv, grads.wv, av,
        bv, sv, cv);
    for (int t = 0; t < tasks; t++) {
      java.util.Arrays.fill(rsAcc, 0.0);
      for (int l = 0; l < layers; l++) {
        k.biasRows(l, vbv[l], t, width[l + 1]);
        java.util.Arrays.fill(k.biasAcc[l], 0.0);
        // Shared weights are the same for every task: transposed once.
        if (l >= 1 && (t == 0 || wv[l].perTask != 0)) {
          k.transpose(wv[l], t, width[l], width[l + 1], k.wT[l]);
        }
        if (second && l >= 1 && (t == 0 || vwv[l].perTask != 0)) {
          k.transpose(vwv[l], t, width[l], width[l + 1], k.vT[l]);
        }
      }
      for (int r0 = 0; r0 < rows; r0 += BLOCK) {
        blocks.block(t, r0, Math.min(BLOCK, rows - r0), rsAcc);
      }
      grads.putBiases(t, k);
      if (rowSum) {
        for (int j = 0; j < out; j++) {
          rsv.nio.put(Math.toIntExact(rsv.nioBase + rsv.at(t) + j), (float) rsAcc[j]);
        }
      }
    }
    long flops = 0;
    for (int l = 0; l < layers; l++) {
      long f = 2L * tasks * rows * width[l] * width[l + 1];
      // Forward h V (+ t W), reverse h^T d (+ t^T δ) and d W^T (+ δ V^T), the bias sums.
      boolean cross = l >= 1;
      flops += f * ((cross ? 2 : 1) + (second && cross ? 2 : 1) + (l >= 1 ? (second ? 2 : 1) : 0));
      flops += 2L * tasks * rows * width[l + 1];
    }
    Kernels.GEMM_FLOPS.addAndGet(flops);
    Kernels.record("matmulBlocks", t0, flops);
    return new Result(grads.w, grads.b, rs == null ? null : Tensor.constant(rs));
  }

  /** First-order reverse passes ({@link #backward}) run so far in this process, for tests. */
  public static long backwards() {
    return BACKWARDS.get();
  }

  /**
   * The first-order reverse pass of the network from a given output gradient, for every task's
   * rows, block by block: d_L-1 = dOut, ∇W_l = h_l^T d_l, ∇b_l = Σ_rows d_l, e_l = d_l W_l^T,
   * d_l-1 = e_l act_l, with act_l derived from h_l's block as in {@link #pass}. Optionally keeps
   * what a later second-order {@link #pass} takes: the pre-activation gradients δ_l = d_l and,
   * for tanh, eh_l = -2 e_l h_l.
   *
   * @param h the layers' inputs h_l [T, N, n_l], h_0 the observations
   * @param tanh whether h_l = tanh(a_l-1) for l ≥ 1, else ReLU
   * @param w the weights W_l, [n_l, n_l+1] shared or [T, n_l, n_l+1]
   * @param dOut the gradient at the outputs, [T, N, n_L]
   * @param delta null, or filled with δ_l [T, N, n_l+1] (δ_L-1 is {@code dOut} itself)
   * @param eh null, or for tanh filled with eh_l [T, N, n_l] for l ≥ 1
   */
  public static Result backward(Tensor[] h, boolean tanh, Tensor[] w, Tensor dOut, Tensor[] delta, Tensor[] eh) {
    long t0 = System.nanoTime();
    BACKWARDS.incrementAndGet();
    int layers = w.length;
    INDArray obs = h[0].value();
    int tasks = Math.toIntExact(obs.size(0));
    int rows = Math.toIntExact(obs.size(1));
    int[] width = widths(w);
    Work k = Work.get(max(width), layers);
    View[] hv = new View[layers];
    View[] wv = new View[layers];
    View[] dv = new View[layers];
    View[] ehv = new View[layers];
    Grads grads = new Grads(obs, tasks, width);
    View[] gwv = grads.wv;
    for (int l = 0; l < layers; l++) {
      hv[l] = View.of(h[l].value(), (long) rows * width[l]);
      wv[l] = View.param(w[l].value(), (long) width[l] * width[l + 1]);
      if (delta != null && l < layers - 1) {
        INDArray dl = Kernels.uninit(obs, tasks, rows, width[l + 1]);
        delta[l] = Tensor.constant(dl);
        dv[l] = View.of(dl, (long) rows * width[l + 1]);
      }
      if (eh != null && tanh && l >= 1) {
        INDArray el = Kernels.uninit(obs, tasks, rows, width[l]);
        eh[l] = Tensor.constant(el);
        ehv[l] = View.of(el, (long) rows * width[l]);
      }
    }
    if (delta != null) {
      delta[layers - 1] = dOut;
    }
    int out = width[layers];
    View gv = View.of(dOut.value(), (long) rows * out);
    for (int t = 0; t < tasks; t++) {
      for (int l = 0; l < layers; l++) {
        java.util.Arrays.fill(k.biasAcc[l], 0.0);
        if (l >= 1 && (t == 0 || wv[l].perTask != 0)) {
          k.transpose(wv[l], t, width[l], width[l + 1], k.wT[l]);
        }
      }
      for (int r0 = 0; r0 < rows; r0 += BLOCK) {
        int m = Math.min(BLOCK, rows - r0);
        float beta = r0 == 0 ? 0f : 1f;
        // d_L-1: the given gradient's block, on the heap for the bias sum and natively for the BLAS.
        gv.nio.get(Math.toIntExact(gv.nioBase + gv.at(t, r0, out)), k.z, 0, m * out);
        k.d.nio.put(0, k.z, 0, m * out);
        for (int l = layers - 1; l >= 0; l--) {
          int nIn = width[l];
          int nOut = width[l + 1];
          gemm(true, false, nIn, nOut, m, hv[l], hv[l].at(t, r0, nIn), nIn, k.d, 0, nOut, beta, gwv[l], gwv[l].at(t),
              nOut);
          k.biasSum(l, m, nOut);
          if (l >= 1) {
            gemm(false, false, m, nIn, nOut, k.d, 0, nOut, k.wT[l], 0, nIn, 0f, k.e, 0, nIn);
            k.backDelta(hv[l], hv[l].at(t, r0, nIn), m * nIn, tanh, ehv[l], dv[l - 1], t, r0, nIn);
          }
        }
      }
      grads.putBiases(t, k);
    }
    long flops = 0;
    for (int l = 0; l < layers; l++) {
      flops += 2L * tasks * rows * width[l] * width[l + 1] * (l >= 1 ? 2 : 1) + 2L * tasks * rows * width[l + 1];
    }
    Kernels.GEMM_FLOPS.addAndGet(flops);
    Kernels.record("mlpBackward", t0, flops);
    return new Result(grads.w, grads.b, null);
  }

  /** The layers' widths n_0 .. n_L from the weights [n_l, n_l+1] or [T, n_l, n_l+1]. */
  private static int[] widths(Tensor[] w) {
    int[] width = new int[w.length + 1];
    for (int l = 0; l < w.length; l++) {
      INDArray wl = w[l].value();
      width[l] = Math.toIntExact(wl.size(wl.rank() - 2));
      width[l + 1] = Math.toIntExact(wl.size(wl.rank() - 1));
    }
    return width;
  }

  private static int max(int[] xs) {
    int m = 0;
    for (int x : xs) {
      m = Math.max(m, x);
    }
    return m;
  }

  /** A pass's outputs, per layer: weight gradients [T, n_l, n_l+1] and bias gradients [T, 1, n_l+1]. */
  private static final class Grads {
    final Tensor[] w;
    final Tensor[] b;
    final View[] wv;
    final View[] bv;
    private final int[] width;

    Grads(INDArray like, int tasks, int[] width) {
      int layers = width.length - 1;
      this.width = width;
      w = new Tensor[layers];
      b = new Tensor[layers];
      wv = new View[layers];
      bv = new View[layers];
      for (int l = 0; l < layers; l++) {
        INDArray g = Kernels.uninit(like, tasks, width[l], width[l + 1]);
        INDArray gbias = Kernels.uninit(like, tasks, 1, width[l + 1]);
        w[l] = Tensor.constant(g);
        b[l] = Tensor.constant(gbias);
        wv[l] = View.of(g, (long) width[l] * width[l + 1]);
        bv[l] = View.of(gbias, width[l + 1]);
      }
    }

    /** Task t's bias gradients from the float64 sums its blocks accumulated in {@code k}. */
    void putBiases(int t, Work k) {
      for (int l = 0; l < w.length; l++) {
        double[] acc = k.biasAcc[l];
        for (int j = 0; j < width[l + 1]; j++) {
          bv[l].nio.put(Math.toIntExact(bv[l].nioBase + bv[l].at(t) + j), (float) acc[j]);
        }
      }
    }
  }

  /**
   * One pass's arrays, walked a block at a time by {@link #block}. A method per block rather than
   * the whole loop in {@link #pass}: the JIT compiles a method called every block once, where the
   * long-running loops of a pass were compiled on-stack several times (2-6 s of compiler time on
   * a 2-core machine, JFR's jdk.Compilation events, competing with the first iterations).
   */
  private static final class Blocks {
    private final Work k;
    private final int layers;
    private final int[] width;
    private final boolean second;
    private final boolean tanh;
    private final int rows;
    private final int out;
    private final Head head;
    private final View[] hv;
    private final View[] dv;
    private final View[] ehv;
    private final View[] wv;
    private final View[] vwv;
    private final View[] gwv;
    private final View av;
    private final View bv;
    private final View sv;
    private final View cv;

    Blocks(Work k, int layers, int[] width, boolean second, boolean tanh, int rows, int out, Head head, View[] hv,
        View[] dv, View[] ehv, View[] wv, View[] vwv, View[] gwv, View av, View bv, View sv, View cv) {
      this.k = k;
      this.layers = layers;
      this.width = width;
      this.second = second;
      this.tanh = tanh;
      this.rows = rows;
      this.out = out;
      this.head = head;
      this.hv = hv;
      this.dv = dv;
      this.ehv = ehv;
      this.wv = wv;
      this.vwv = vwv;
      this.gwv = gwv;
      this.av = av;
      this.bv = bv;
      this.sv = sv;
      this.cv = cv;
    }

    /** Rows r0 .. r0 + m of task t: forward tangents, head, reverse pass, gradients accumulated. */
    void block(int t, int r0, int m, double[] rsAcc) {
      float beta = r0 == 0 ? 0f : 1f;
      // Forward tangents: k.da holds a'_l without its bias, which the next step adds; k.tan[l]
      // (and its heap copy) keeps t_l for the reverse pass, as the heap keeps act_l. h_l V_l goes
      // first, into k.next, so that the tangent step finds h_l's block in cache for act_l.
      gemm(false, false, m, width[1], width[0], hv[0], hv[0].at(t, r0, width[0]), width[0], vwv[0],
          vwv[0].at(t), width[1], 0f, k.da, 0, width[1]);
      for (int l = 1; l < layers; l++) {
        gemm(false, false, m, width[l + 1], width[l], hv[l], hv[l].at(t, r0, width[l]), width[l], vwv[l],
            vwv[l].at(t), width[l + 1], 0f, k.next, 0, width[l + 1]);
        k.tangent(l, hv[l], hv[l].at(t, r0, width[l]), m * width[l], tanh);
        gemm(false, false, m, width[l + 1], width[l], k.tan[l], 0, width[l], wv[l], wv[l].at(t), width[l + 1], 1f,
            k.next, 0, width[l + 1]);
        k.swapDa();
      }
      // Head: k.da plus the output bias is the output tangent; g goes to k.d.
      long ho = (long) t * rows * out + (long) r0 * out;
      k.head(head, layers - 1, av, bv, sv, cv, t, ho, (long) t * rows + r0, m, out, rsAcc);
      // Reverse pass: k.d holds d_l.
      for (int l = layers - 1; l >= 0; l--) {
        int nIn = width[l];
        int nOut = width[l + 1];
        gemm(true, false, nIn, nOut, m, hv[l], hv[l].at(t, r0, nIn), nIn, k.d, 0, nOut, beta, gwv[l], gwv[l].at(t),
            nOut);
        if (second && l >= 1) {
          gemm(true, false, nIn, nOut, m, k.tan[l], 0, nIn, dv[l], dv[l].at(t, r0, nOut), nOut, 1f, gwv[l],
              gwv[l].at(t), nOut);
        }
        k.biasSum(l, m, nOut);
        if (l >= 1) {
          gemm(false, false, m, nIn, nOut, k.d, 0, nOut, k.wT[l], 0, nIn, 0f, k.e, 0, nIn);
          if (second) {
            gemm(false, false, m, nIn, nOut, dv[l], dv[l].at(t, r0, nOut), nOut, k.vT[l], 0, nIn, 1f, k.e, 0, nIn);
          }
          k.delta(l, second ? ehv[l] : null, second && ehv[l] != null ? ehv[l].at(t, r0, nIn) : 0, m * nIn);
        }
      }
    }
  }

  static void gemm(boolean ta, boolean tb, int m, int n, int kk, View a, long ao, int lda, View b, long bo,
      int ldb, float beta, View c, long co, int ldc) {
    openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, ta ? openblas_nolapack.CblasTrans
        : openblas_nolapack.CblasNoTrans, tb ? openblas_nolapack.CblasTrans : openblas_nolapack.CblasNoTrans, m, n,
        kk, 1f, a.ptr.position(a.ptrBase + ao), lda, b.ptr.position(b.ptrBase + bo), ldb, beta,
        c.ptr.position(c.ptrBase + co), ldc);
  }

  /**
   * A dense float32 array's memory, for the BLAS (a pointer of its own, moved per call) and for
   * bulk copies (an NIO view); offsets are in elements from the array's first element.
   */
  static final class View {
    final FloatPointer ptr;
    final long ptrBase;
    final FloatBuffer nio;
    final int nioBase;
    // Elements per task (0 for an array shared by every task).
    final long perTask;

    private View(FloatPointer ptr, long ptrBase, FloatBuffer nio, int nioBase, long perTask) {
      this.ptr = ptr;
      this.ptrBase = ptrBase;
      this.nio = nio;
      this.nioBase = nioBase;
      this.perTask = perTask;
    }

    /** A [T, ...] array with {@code perTask} elements per task. */
    static View of(INDArray x, long perTask) {
      if (x.dataType() != DataType.FLOAT || !FloatLoops.dense(x)) {
        throw new IllegalArgumentException("blocked passes need dense float32 arrays, got " + x.dataType() + " "
            + java.util.Arrays.toString(x.shape()) + " strides " + java.util.Arrays.toString(x.stride()));
      }
      return new View(new FloatPointer(x.data().addressPointer()), Blas.elementOffset(x), FloatLoops.buffer(x),
          FloatLoops.base(x), perTask);
    }

    /** A parameter: shared when it has no task axis (rank 2), else {@code perTask} elements per task. */
    static View param(INDArray x, long perTask) {
      // Dense except for the strides of size-1 axes (ND4J's per-task biases [T, 1, n]) is dense for a
      // pointer and a buffer: no copy. Sampling copied every layer's bias at every step before.
      INDArray d = x.dataType() == DataType.FLOAT && FloatLoops.dense(x) ? x : Kernels.contiguousDense(x);
      View v = of(d, perTask);
      return d.rank() >= 3 ? v : new View(v.ptr, v.ptrBase, v.nio, v.nioBase, 0);
    }

    static View scratch(int floats) {
      FloatPointer p = new FloatPointer(floats);
      p.capacity(floats);
      return new View(p, 0, p.asBuffer(), 0, 0);
    }

    /** Offset of task t's first element. */
    long at(int t) {
      return t * perTask;
    }

    /** Offset of task t's row r, rows of {@code width} elements. */
    long at(int t, int r, int width) {
      return t * perTask + (long) r * width;
    }
  }

  /** One thread's scratch: native blocks the BLAS writes, and heap copies for the elementwise loops. */
  private static final class Work {
    private static final ThreadLocal<Work> LOCAL = new ThreadLocal<>();

    final int maxWidth;
    View da;
    // The next layer's a'_l while the tangent step still reads this one's from da.
    View next;
    final View d;
    final View e;
    final View[] tan;
    // The task's W_l^T and V_l^T ([n_l+1, n_l]), so that d_l W_l^T and δ_l V_l^T are products of
    // untransposed operands: OpenBLAS 0.3.21 ran 128x64 · (64x64)^T at 75 GFLOP/s on a Zen 4
    // core against 103 for the same product untransposed (and 22 against 33 for 128x2 · (64x2)^T),
    // where transposing the 64x64 weights once per task costs about a block's 1 %.
    final View[] wT;
    final View[] vT;
    private final float[] twIn;
    private final float[] tw;
    // Heap copies of a block's act_l and t_l, and each layer's bias rows.
    final float[][] actH;
    final float[][] tanH;
    final float[][] biasRows;
    // Each layer's bias gradient, Σ_rows d_l, summed over one task's blocks.
    final double[][] biasAcc;
    final float[] colSum;
    final float[] x1;
    final float[] x2;
    final float[] x3;
    final float[] x4;
    final float[] z;

    private Work(int maxWidth, int layers) {
      this.maxWidth = maxWidth;
      int n = BLOCK * maxWidth;
      da = View.scratch(n);
      next = View.scratch(n);
      d = View.scratch(n);
      e = View.scratch(n);
      tan = new View[layers];
      wT = new View[layers];
      vT = new View[layers];
      twIn = new float[maxWidth * maxWidth];
      tw = new float[maxWidth * maxWidth];
      actH = new float[layers][];
      tanH = new float[layers][];
      biasRows = new float[layers][];
      biasAcc = new double[layers][];
      colSum = new float[maxWidth];
      for (int l = 0; l < layers; l++) {
        biasRows[l] = new float[n];
        biasAcc[l] = new double[maxWidth];
      }
      for (int l = 1; l < layers; l++) {
        wT[l] = View.scratch(maxWidth * maxWidth);
        vT[l] = View.scratch(maxWidth * maxWidth);
        tan[l] = View.scratch(n);
        actH[l] = new float[n];
        tanH[l] = new float[n];
      }
      x1 = new float[n];
      x2 = new float[n];
      x3 = new float[n];
      x4 = new float[n];
      z = new float[n];
    }

    static Work get(int maxWidth, int layers) {
      Work w = LOCAL.get();
      if (w == null || w.maxWidth < maxWidth || w.tan.length < layers) {
        // The native blocks are small (a few hundred KB) and live as long as the thread.
        w = new Work(Math.max(maxWidth, w == null ? 0 : w.maxWidth), Math.max(layers, w == null ? 0 : w.tan.length));
        LOCAL.set(w);
      }
      return w;
    }

    /** Task t's [rows, cols] matrix {@code x}, transposed into {@code to} as [cols, rows]. */
    void transpose(View x, int t, int rows, int cols, View to) {
      int n = rows * cols;
      float[] a = twIn;
      float[] b = tw;
      x.nio.get(Math.toIntExact(x.nioBase + x.at(t)), a, 0, n);
      for (int i = 0; i < rows; i++) {
        for (int j = 0; j < cols; j++) {
          b[j * rows + i] = a[i * cols + j];
        }
      }
      to.nio.put(0, b, 0, n);
    }

    /** Layer l's bias row b'_l of task t, repeated over a block's rows, for {@link #tangent} and {@link #head}. */
    void biasRows(int l, View bias, int t, int n) {
      float[] z = biasRows[l];
      bias.nio.get(Math.toIntExact(bias.nioBase + bias.at(t)), z, 0, n);
      for (int r = 1; r < BLOCK; r++) {
        System.arraycopy(z, 0, z, r * n, n);
      }
    }

    void swapDa() {
      View v = da;
      da = next;
      next = v;
    }

    /**
     * t_l = act_l (a'_l-1 + b'_l-1), a'_l-1 in {@code da}, act_l from the block of h_l: 1 - h_l²
     * (bit for bit the derivative the tanh kernel stores beside h_l) or the ReLU's [h_l > 0].
     * Derived rather than read from a stored array, whose block came from memory (a sixth of a
     * first-order pass on a Zen 4 core); h_l's block was just read by the product h_l V_l. t_l to
     * the native {@code tan[l]} for the BLAS, t_l and act_l kept on the heap for {@link #delta}.
     */
    void tangent(int l, View h, long ho, int len, boolean tanh) {
      float[] ah = actH[l];
      float[] th = tanH[l];
      float[] b = biasRows[l - 1];
      h.nio.get(Math.toIntExact(h.nioBase + ho), ah, 0, len);
      da.nio.get(0, x1, 0, len);
      float[] x = x1;
      if (tanh) {
        for (int i = 0; i < len; i++) {
          float a = 1f - ah[i] * ah[i];
          ah[i] = a;
          th[i] = a * (x[i] + b[i]);
        }
      } else {
        for (int i = 0; i < len; i++) {
          float a = ah[i] > 0f ? 1f : 0f;
          ah[i] = a;
          th[i] = a * (x[i] + b[i]);
        }
      }
      tan[l].nio.put(0, th, 0, len);
    }

    /**
     * Adds the block's column sums of d_l, whose heap copy {@code z} still holds, to layer l's bias
     * gradient. A loop rather than the BLAS: as a product with a row of ones (one row by 64
     * columns by 128) OpenBLAS ran at 2.1-2.6 GFLOP/s on a Zen 4 core, 8 µs of a 135 µs block
     * for a sum the heap copy already has in cache.
     */
    void biasSum(int l, int m, int n) {
      // Summed in float over the block's rows (a loop C2 vectorises; float-to-double conversions
      // in it kept it scalar, slower than the BLAS), then added to the task's float64 sums.
      float[] blk = colSum;
      java.util.Arrays.fill(blk, 0, n, 0f);
      float[] dz = z;
      // Four rows per sweep of the column sums: one load and store of blk per four rows of d
      // (JFR put the one-row loop at 5 % of a second-order pass on a Zen 4 core).
      int r = 0;
      for (; r + 4 <= m; r += 4) {
        int o = r * n;
        for (int j = 0; j < n; j++) {
          blk[j] += (dz[o + j] + dz[o + n + j]) + (dz[o + 2 * n + j] + dz[o + 3 * n + j]);
        }
      }
      for (; r < m; r++) {
        int o = r * n;
        for (int j = 0; j < n; j++) {
          blk[j] += dz[o + j];
        }
      }
      double[] acc = biasAcc[l];
      for (int j = 0; j < n; j++) {
        acc[j] += blk[j];
      }
    }

    /**
     * d_l-1 into {@code d} from e = d_l W_l^T (+ δ_l V_l^T) in {@code e}: e act_l, plus eh_l t_l
     * when {@code eh} is given (a second-order tanh pass).
     */
    void delta(int l, View eh, long eho, int len) {
      e.nio.get(0, x1, 0, len);
      float[] x = x1;
      float[] a = actH[l];
      float[] o = z;
      if (eh == null) {
        for (int i = 0; i < len; i++) {
          o[i] = x[i] * a[i];
        }
      } else {
        eh.nio.get(Math.toIntExact(eh.nioBase + eho), x2, 0, len);
        float[] c = x2;
        float[] tt = tanH[l];
        for (int i = 0; i < len; i++) {
          o[i] = x[i] * a[i] + c[i] * tt[i];
        }
      }
      d.nio.put(0, o, 0, len);
    }

    /**
     * d_l-1 = e_l act_l into {@code d} (and its heap copy {@code z}), e_l in {@code e}, act_l from
     * h_l's block; also into {@code dStore} (δ_l-1) and -2 e_l h_l into {@code ehStore} (eh_l) when
     * they are given, at task t's rows r0 onwards of {@code width} columns.
     */
    void backDelta(View h, long ho, int len, boolean tanh, View ehStore, View dStore, int t, int r0, int width) {
      e.nio.get(0, x1, 0, len);
      float[] hh = x2;
      h.nio.get(Math.toIntExact(h.nioBase + ho), hh, 0, len);
      float[] x = x1;
      float[] o = z;
      if (tanh) {
        for (int i = 0; i < len; i++) {
          o[i] = x[i] * (1f - hh[i] * hh[i]);
        }
        if (ehStore != null) {
          float[] q = x3;
          for (int i = 0; i < len; i++) {
            q[i] = -2f * x[i] * hh[i];
          }
          ehStore.nio.put(Math.toIntExact(ehStore.nioBase + ehStore.at(t, r0, width)), q, 0, len);
        }
      } else {
        for (int i = 0; i < len; i++) {
          o[i] = hh[i] > 0f ? x[i] : 0f;
        }
      }
      d.nio.put(0, o, 0, len);
      if (dStore != null) {
        dStore.nio.put(Math.toIntExact(dStore.nioBase + dStore.at(t, r0, width)), o, 0, len);
      }
    }

    /**
     * g into {@code d} from the output tangent in {@code da}; {@code ho} the block's first output
     * element, {@code row} its first row over all tasks.
     */
    void head(Head head, int last, View av, View bv, View sv, View cv, int t, long ho, long row, int m, int out,
        double[] rsAcc) {
      int len = m * out;
      da.nio.get(0, x1, 0, len);
      av.nio.get(Math.toIntExact(av.nioBase + ho), x2, 0, len);
      float[] tg = x1;
      float[] bias = biasRows[last];
      for (int i = 0; i < len; i++) {
        tg[i] += bias[i];
      }
      float[] a = x2;
      float[] o = z;
      switch (head.kind()) {
        case METRIC -> {
          for (int i = 0; i < len; i++) {
            o[i] = a[i] * tg[i];
          }
        }
        case METRIC_MINUS_SHIFT -> {
          bv.nio.get(Math.toIntExact(bv.nioBase + ho), x3, 0, len);
          sv.nio.get(Math.toIntExact(sv.nioBase + sv.at(t)), x4, 0, out);
          float kf = (float) head.k();
          float[] b = x3;
          float[] s = x4;
          for (int r = 0; r < m; r++) {
            for (int j = 0; j < out; j++) {
              int i = r * out + j;
              o[i] = a[i] * tg[i] - (b[i] * s[j]) * kf;
              rsAcc[j] += b[i] * tg[i];
            }
          }
        }
        case SOFTMAX -> {
          cv.nio.get(Math.toIntExact(cv.nioBase + row), x3, 0, m);
          float[] c = x3;
          for (int r = 0; r < m; r++) {
            float s = 0f;
            for (int j = 0; j < out; j++) {
              s += a[r * out + j] * tg[r * out + j];
            }
            for (int j = 0; j < out; j++) {
              int i = r * out + j;
              o[i] = (a[i] * tg[i] - a[i] * s) * c[r];
            }
          }
        }
      }
      d.nio.put(0, o, 0, len);
    }
  }
}
