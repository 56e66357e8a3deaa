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
    long t0 = System.nanoTime();
    CALLS.incrementAndGet();
    int layers = w.length;
    int[] width = new int[layers + 1];
    MlpBlocks.View[] wv = new MlpBlocks.View[layers];
    MlpBlocks.View[] bv = new MlpBlocks.View[layers];
    for (int l = 0; l < layers; l++) {
      INDArray wl = w[l].value();
      width[l] = Math.toIntExact(wl.size(wl.rank() - 2));
      width[l + 1] = Math.toIntExact(wl.size(wl.rank() - 1));
      checkTasks(wl, tasks, "weight", l);
      checkTasks(b[l].value(), tasks, "bias", l);
      wv[l] = MlpBlocks.View.param(wl, (long) width[l] * width[l + 1]);
      bv[l] = MlpBlocks.View.param(b[l].value(), width[l + 1]);
    }
    if (obs.length != (long) tasks * rows * width[0]) {
      throw new IllegalArgumentException("observations: " + obs.length + " values for " + tasks + " tasks of " + rows
          + " rows of " + width[0]);
    }
    int maxWidth = 0;
    for (int x : width) {
      maxWidth = Math.max(maxWidth, x);
    }
    Work k = Work.get(rows * maxWidth);
    int out = width[layers];
    float[] result = new float[tasks * rows * out];
    long flops = 0;
    for (int t = 0; t < tasks; t++) {
      int n0 = rows * width[0];
      float[] x = k.heap;
      for (int i = 0; i < n0; i++) {
        x[i] = (float) obs[t * n0 + i];
      }
      k.in.nio.put(0, x, 0, n0);
      for (int l = 0; l < layers; l++) {
        int nIn = width[l];
        int nOut = width[l + 1];
        int len = rows * nOut;
        // Bias rows, then h W added onto them, as Tensor.affine does.
        float[] y = k.heap;
        bv[l].nio.get(Math.toIntExact(bv[l].nioBase + bv[l].at(t)), y, 0, nOut);
        for (int r = 1; r < rows; r++) {
          System.arraycopy(y, 0, y, r * nOut, nOut);
        }
        k.out.nio.put(0, y, 0, len);
        MlpBlocks.gemm(false, false, rows, nOut, nIn, k.in, 0, nIn, wv[l], wv[l].at(t), nOut, 1f, k.out, 0, nOut);
        flops += 2L * rows * nIn * nOut;
        k.out.nio.get(0, y, 0, len);
        if (l == layers - 1) {
          System.arraycopy(y, 0, result, t * len, len);
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
      }
    }
    Kernels.GEMM_FLOPS.addAndGet(flops);
    Kernels.record("mlpValues", t0, flops);
    return result;
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
