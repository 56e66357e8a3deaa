package io.maml4j.autodiff;

import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A multilayer perceptron's outputs in float32, values only, task by task: the forward pass a
 * sampler takes at every time step, outside the tape.
 *
 * <p>Why by hand: at a sampling step each task has a few rows (one per episode, 20 by default),
 * so through {@link Tensor} ops the pass is a dozen small arrays per layer, each an ND4J
 * allocation with its own bookkeeping, and that, not the arithmetic, was the step's cost (about
 * 0.5 ms per step for 10 tasks of 20 rows on a Zen 4 core, against some 35 µs of products). Here
 * a thread's native blocks are reused from step to step; each layer is the bias rows, one {@code
 * cblas_sgemm} of the task's rows by its weights, and the activation in a loop on the heap.
 *
 * <p>Each task's rows go through products of their own, whatever other tasks share the call, so
 * a task's outputs do not depend on which tasks a thread steps together. The products, bias
 * first and then {@code h W} added by the BLAS, and the activations ({@link FloatLoops}' tanh)
 * are those of {@link Tensor#affine} and {@link Tensor#tanh}; the outputs agree with that path to
 * float32 rounding.
 */
public final class MlpValues {
  private static final AtomicLong CALLS = new AtomicLong();

  private MlpValues() {}

  /** Forward passes run so far in this process, so that tests can tell which path a step took. */
  public static long calls() {
    return CALLS.get();
  }

  /** Whether {@link #forward} takes these parameters: every one dense float32. */
  public static boolean applies(Tensor... params) {
    for (Tensor p : params) {
      INDArray x = p.value();
      if (x.dataType() != DataType.FLOAT || !FloatLoops.dense(x) || x.rank() < 2 || x.rank() > 3) {
        return false;
      }
    }
    return true;
  }

  /**
   * Outputs [tasks, rows, out] (row-major) for observations [tasks, rows, in] (row-major, in
   * float64 as environments give them).
   *
   * @param w weights W_l, [n_l, n_l+1] shared or [tasks, n_l, n_l+1]
   * @param b biases, [1, n_l+1] shared or [tasks, 1, n_l+1]
   * @param tanh tanh hidden activations, else ReLU
   */
  public static float[] forward(Tensor[] w, Tensor[] b, boolean tanh, double[] obs, int tasks, int rows) {
    Net net = new Net(w, b, tasks);
    if (obs.length != (long) tasks * rows * net.width[0]) {
      throw new IllegalArgumentException("observations: " + obs.length + " values for " + tasks + " tasks of " + rows
          + " rows of " + net.width[0]);
    }
    float[] result = new float[tasks * rows * net.out()];
    net.run(tasks, rows, tanh, (t, r0, m, x) -> {
      int n = m * net.width[0];
      int o = (t * rows + r0) * net.width[0];
      for (int i = 0; i < n; i++) {
        x[i] = (float) obs[o + i];
      }
    }, (t, r0, m, y) -> System.arraycopy(y, 0, result, (t * rows + r0) * net.out(), m * net.out()), null);
    return result;
  }

  /**
   * The same outputs for observations {@code obs} [tasks, rows, in] already in a dense float32
   * array, as a constant of the current arena; rows go through in blocks of {@link
   * MlpBlocks#BLOCK}, so that a layer's rows stay in cache between the product and the
   * activation (whole-batch passes over 2,000 rows per task are bound by memory traffic).
   */
  public static Tensor forward(Tensor[] w, Tensor[] b, boolean tanh, Tensor obs) {
    return forward(w, b, tanh, obs, null);
  }

  /**
   * {@link #forward(Tensor[], Tensor[], boolean, Tensor)}, also keeping the layers' inputs when
   * {@code hidden} is given: {@code hidden[0]} becomes {@code obs}, {@code hidden[l]} for l ≥ 1
   * the activations h_l [tasks, rows, n_l] that layer l-1 made, as constants of the current
   * arena (what a reverse pass needs).
   */
  public static Tensor forward(Tensor[] w, Tensor[] b, boolean tanh, Tensor obs, Tensor[] hidden) {
    INDArray x = obs.value();
    if (!appliesToObservations(obs)) {
      throw new IllegalArgumentException("observations must be a dense float32 [tasks, rows, in] array, got "
          + x.dataType() + " " + java.util.Arrays.toString(x.shape()));
    }
    int tasks = Math.toIntExact(x.size(0));
    int rows = Math.toIntExact(x.size(1));
    Net net = new Net(w, b, tasks);
    if (x.size(2) != net.width[0]) {
      throw new IllegalArgumentException("observations have " + x.size(2) + " columns, the first layer " + net.width[0]);
    }
    INDArray y = Kernels.uninit(x, tasks, rows, net.out());
    MlpBlocks.View xv = MlpBlocks.View.of(x, (long) rows * net.width[0]);
    MlpBlocks.View yv = MlpBlocks.View.of(y, (long) rows * net.out());
    MlpBlocks.View[] hv = null;
    if (hidden != null) {
      hidden[0] = obs;
      hv = new MlpBlocks.View[net.layers];
      for (int l = 1; l < net.layers; l++) {
        INDArray hl = Kernels.uninit(x, tasks, rows, net.width[l]);
        hidden[l] = Tensor.constant(hl);
        hv[l] = MlpBlocks.View.of(hl, (long) rows * net.width[l]);
      }
    }
    net.run(tasks, rows, tanh,
        (t, r0, m, in) -> xv.nio.get(Math.toIntExact(xv.nioBase + xv.at(t, r0, net.width[0])), in, 0,
            m * net.width[0]),
        (t, r0, m, out) -> yv.nio.put(Math.toIntExact(yv.nioBase + yv.at(t, r0, net.out())), out, 0, m * net.out()),
        hv);
    return Tensor.constant(y);
  }

  /** Whether {@link #forward(Tensor[], Tensor[], boolean, Tensor)} takes these observations. */
  public static boolean appliesToObservations(Tensor obs) {
    INDArray x = obs.value();
    return x.rank() == 3 && x.dataType() == DataType.FLOAT && FloatLoops.dense(x);
  }

  /**
   * The network's outputs for {@code obs} as one recorded node, for code inside {@link
   * Tape#firstOrder}: the forward pass by {@link #forward}, keeping each layer's input, and as the
   * node's backward the reverse pass of {@link MlpBlocks#backward}, both in blocks of rows per
   * task, in place of a recorded node per layer and operation whose whole-batch arrays, written
   * by one pass and read back by the next, bound the first-order gradient by memory traffic. The
   * gradients come back in the parameters' shapes (summed over tasks for shared ones) and equal
   * the layered graph's to float32 rounding; the observations get none (they are data).
   *
   * @throws IllegalStateException from the backward if it is asked for a graph of its own
   */
  public static Tensor recorded(Tensor[] w, Tensor[] b, boolean tanh, Tensor obs) {
    int layers = w.length;
    Tensor[] h = new Tensor[layers];
    Tensor out = forward(w, b, tanh, obs, h);
    Tensor[] inputs = new Tensor[2 * layers];
    for (int l = 0; l < layers; l++) {
      inputs[2 * l] = w[l];
      inputs[2 * l + 1] = b[l];
    }
    return Tensor.node(out.value(), "mlp", g -> {
      if (Tape.isRecording()) {
        throw new IllegalStateException("an MLP recorded inside Tape.firstOrder() has first derivatives only;"
            + " a gradient with a graph of its own needs it recorded outside that scope");
      }
      INDArray gv = Kernels.contiguousDense(g.value());
      if (gv.dataType() != DataType.FLOAT) {
        gv = gv.castTo(DataType.FLOAT);
      }
      MlpBlocks.Result r = MlpBlocks.backward(h, tanh, w, Tensor.constant(gv), null, null);
      Tensor[] grads = new Tensor[inputs.length];
      for (int l = 0; l < layers; l++) {
        grads[2 * l] = r.weights()[l].sumTo(w[l].shape());
        grads[2 * l + 1] = r.biases()[l].sumTo(b[l].shape());
      }
      return grads;
    }, inputs);
  }

  /** Fills or takes a block's rows r0 .. r0 + m of task t, row-major on the heap. */
  @FunctionalInterface
  private interface Rows {
    void apply(int t, int r0, int m, float[] rows);
  }

  /** The parameters' native views and the layers' widths. */
  private static final class Net {
    final int layers;
    final int[] width;
    final MlpBlocks.View[] wv;
    final MlpBlocks.View[] bv;

    Net(Tensor[] w, Tensor[] b, int tasks) {
      layers = w.length;
      width = new int[layers + 1];
      wv = new MlpBlocks.View[layers];
      bv = new MlpBlocks.View[layers];
      for (int l = 0; l < layers; l++) {
        INDArray wl = w[l].value();
        width[l] = Math.toIntExact(wl.size(wl.rank() - 2));
        width[l + 1] = Math.toIntExact(wl.size(wl.rank() - 1));
        checkTasks(wl, tasks, "weight", l);
        checkTasks(b[l].value(), tasks, "bias", l);
        wv[l] = MlpBlocks.View.param(wl, (long) width[l] * width[l + 1]);
        bv[l] = MlpBlocks.View.param(b[l].value(), width[l + 1]);
      }
    }

    int out() {
      return width[layers];
    }

    /** @param hidden null, or views to keep h_l for l ≥ 1 in (entry 0 unused) */
    void run(int tasks, int rows, boolean tanh, Rows input, Rows output, MlpBlocks.View[] hidden) {
      long t0 = System.nanoTime();
      CALLS.incrementAndGet();
      int maxWidth = 0;
      for (int x : width) {
        maxWidth = Math.max(maxWidth, x);
      }
      int block = Math.min(rows, MlpBlocks.BLOCK);
      Work k = Work.get(block * maxWidth);
      long flops = 0;
      for (int t = 0; t < tasks; t++) {
        for (int r0 = 0; r0 < rows; r0 += block) {
          int m = Math.min(block, rows - r0);
          float[] x = k.heap;
          input.apply(t, r0, m, x);
          k.in.nio.put(0, x, 0, m * width[0]);
          for (int l = 0; l < layers; l++) {
            int nIn = width[l];
            int nOut = width[l + 1];
            int len = m * nOut;
            // Bias rows, then h W added onto them, as Tensor.affine does.
            float[] y = k.heap;
            bv[l].nio.get(Math.toIntExact(bv[l].nioBase + bv[l].at(t)), y, 0, nOut);
            for (int r = 1; r < m; r++) {
              System.arraycopy(y, 0, y, r * nOut, nOut);
            }
            k.out.nio.put(0, y, 0, len);
            MlpBlocks.gemm(false, false, m, nOut, nIn, k.in, 0, nIn, wv[l], wv[l].at(t), nOut, 1f, k.out, 0, nOut);
            flops += 2L * m * nIn * nOut;
            k.out.nio.get(0, y, 0, len);
            if (l == layers - 1) {
              output.apply(t, r0, m, y);
              break;
            }
            float[] h = k.heap2;
            if (tanh) {
              FloatLoops.tanh(y, h, k.der, len);
            } else {
              for (int i = 0; i < len; i++) {
                h[i] = Math.max(y[i], 0f);
              }
            }
            k.in.nio.put(0, h, 0, len);
            if (hidden != null) {
              MlpBlocks.View hv = hidden[l + 1];
              hv.nio.put(Math.toIntExact(hv.nioBase + hv.at(t, r0, nOut)), h, 0, len);
            }
          }
        }
      }
      Kernels.GEMM_FLOPS.addAndGet(flops);
      Kernels.record("mlpValues", t0, flops);
    }
  }

  private static void checkTasks(INDArray x, int tasks, String what, int layer) {
    if (x.rank() == 3 && x.size(0) != tasks) {
      throw new IllegalArgumentException("layer " + layer + " " + what + " has " + x.size(0) + " tasks, observations "
          + tasks);
    }
  }

  /** One thread's blocks: a layer's input and output rows, natively for the BLAS and on the heap. */
  private static final class Work {
    private static final ThreadLocal<Work> LOCAL = new ThreadLocal<>();

    final int floats;
    final MlpBlocks.View in;
    final MlpBlocks.View out;
    final float[] heap;
    final float[] heap2;
    final float[] der;

    private Work(int floats) {
      this.floats = floats;
      in = MlpBlocks.View.scratch(floats);
      out = MlpBlocks.View.scratch(floats);
      heap = new float[floats];
      heap2 = new float[floats];
      der = new float[floats];
    }

    static Work get(int floats) {
      Work w = LOCAL.get();
      if (w == null || w.floats < floats) {
        w = new Work(Math.max(floats, w == null ? 0 : w.floats));
        LOCAL.set(w);
      }
      return w;
    }
  }
}
