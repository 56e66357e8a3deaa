package io.maml4j.autodiff;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.nd4j.linalg.api.blas.params.MMulTranspose;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.reduce.Mmul;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp;
import org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarAdd;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarMultiplication;
import org.nd4j.linalg.api.ops.impl.transforms.custom.CumSum;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Exp;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Log;
import org.nd4j.linalg.api.ops.impl.transforms.strict.Tanh;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Array-level kernels behind {@link Tensor}: every output is allocated uninitialised, written
 * in place by one native call, and registered with the current {@link Arena}.
 *
 * <p>Matrix products go straight to the BLAS ({@link Blas}) into preallocated outputs because on
 * this ND4J version {@code INDArray.mmul} costs several times the BLAS call itself, and {@code
 * Nd4j.gemm} on per-task slices about twice.
 */
final class Kernels {
  /** Floating-point operations done by matrix products, for throughput reports. */
  static final AtomicLong GEMM_FLOPS = new AtomicLong();

  /** Below this many flops per batch entry, rank-3 products outside the BLAS path use one native batched call. */
  static final long SMALL_SLICE_FLOPS = 1L << 20;

  private Kernels() {}

  static final boolean PROFILE = Boolean.getBoolean("maml4j.profile");
  static final java.util.Map<String, long[]> TIMES = new java.util.concurrent.ConcurrentHashMap<>();

  static void record(String op, long t0) {
    record(op, t0, 0);
  }

  /** As {@link #record(String, long)}, also counting the output's elements, for ns per element. */
  static void record(String op, long t0, long elements) {
    if (PROFILE) {
      long[] a = TIMES.computeIfAbsent(op, k -> new long[3]);
      synchronized (a) {
        a[0] += System.nanoTime() - t0;
        a[1]++;
        a[2] += elements;
      }
    }
  }

  /** Per-kernel time and call counts, when run with -Dmaml4j.profile=true. */
  static String profile() {
    StringBuilder sb = new StringBuilder();
    TIMES.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[0], x.getValue()[0]))
        .forEach(e -> {
          long[] v = e.getValue();
          sb.append(String.format("%-14s %8.1f ms %8d calls", e.getKey(), v[0] / 1e6, v[1]));
          if (v[2] > 0 && (e.getKey().startsWith("matmul") || e.getKey().equals("affine"))) {
            sb.append(String.format(" %10.2f MFLOP/call %6.1f GFLOP/s", v[2] / 1e6 / v[1], (double) v[2] / v[0]));
          } else if (v[2] > 0) {
            sb.append(String.format(" %10d elements/call %6.2f ns/element", v[2] / v[1], (double) v[0] / v[2]));
          }
          sb.append('\n');
        });
    return sb.toString();
  }

  static INDArray uninit(INDArray like, long... shape) {
    return Arena.allocate(like.dataType(), shape);
  }

  static long[] broadcastShape(long[] a, long[] b) {
    int r = Math.max(a.length, b.length);
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      long da = i < r - a.length ? 1 : a[i - (r - a.length)];
      long db = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (da != db && da != 1 && db != 1) {
        throw new IllegalArgumentException(
            "shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[i] = Math.max(da, db);
    }
    return out;
  }

  enum Binary { ADD, SUB, MUL, DIV }

  static INDArray binary(Binary op, INDArray a, INDArray b) {
    long t0 = System.nanoTime();
    INDArray z = uninit(a, broadcastShape(a.shape(), b.shape()));
    INDArray[] in = {a, b};
    INDArray[] out = {z};
    switch (op) {
      case ADD -> Nd4j.exec(new AddOp(in, out));
      case SUB -> Nd4j.exec(new SubOp(in, out));
      case MUL -> Nd4j.exec(new MulOp(in, out));
      case DIV -> Nd4j.exec(new DivOp(in, out));
    }
    record(op.name() + (java.util.Arrays.equals(a.shape(), b.shape()) ? "" : "-bc"), t0, z.length());
    return z;
  }

  static INDArray exp(INDArray a) {
    return transform("exp", a, Exp::new);
  }

  static INDArray log(INDArray a) {
    return transform("log", a, Log::new);
  }

  static INDArray tanh(INDArray a) {
    return tanh(a, null);
  }

  /**
   * tanh of {@code a}; when {@code derivative} is not null its first entry receives 1 - tanh²,
   * computed in the same pass where {@link FloatLoops} applies.
   */
  static INDArray tanh(INDArray a, INDArray[] derivative) {
    if (!FloatLoops.applies(a)) {
      INDArray y = transform("tanh", a, Tanh::new);
      if (derivative != null) {
        derivative[0] = oneMinusSquare(y);
      }
      return y;
    }
    long t0 = System.nanoTime();
    INDArray y = uninit(a, a.shape());
    INDArray dy = derivative == null ? null : uninit(a, a.shape());
    FloatLoops.tanh(a, y, dy);
    if (derivative != null) {
      derivative[0] = dy;
    }
    record("tanh", t0, a.length());
    return y;
  }

  /** {@code 1 - a²}. */
  static INDArray oneMinusSquare(INDArray a) {
    if (FloatLoops.applies(a)) {
      long t0 = System.nanoTime();
      INDArray z = uninit(a, a.shape());
      FloatLoops.apply(FloatLoops.Op.ONE_MINUS_SQUARE, z, a, null, null, null, 0);
      record("oneMinusSquare", t0, z.length());
      return z;
    }
    INDArray v = binary(Binary.MUL, a, a);
    Nd4j.getExecutioner().exec(new org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction(v, null, v, 1.0));
    return v;
  }

  /**
   * One fused pass of {@code op} (see {@link FloatLoops.Op}) over same-shape dense float32
   * operands (null for an operand the op does not use), or null where the loops do not apply and
   * the caller takes the ND4J passes instead.
   */
  static INDArray fusedOrNull(FloatLoops.Op op, INDArray a, INDArray b, INDArray c, INDArray d, double k) {
    if (!FloatLoops.applies(a, b, c, d)) {
      return null;
    }
    long t0 = System.nanoTime();
    INDArray z = uninit(a, a.shape());
    FloatLoops.apply(op, z, a, b, c, d, k);
    record(op.name(), t0, z.length());
    return z;
  }

  static INDArray scale(INDArray a, double c) {
    return transform("scale", a, (x, z) -> new ScalarMultiplication(x, null, z, c));
  }

  static INDArray addScalar(INDArray a, double c) {
    return transform("addScalar", a, (x, z) -> new ScalarAdd(x, null, z, c));
  }

  /** One elementwise native op from {@code a} into a fresh array of the same shape. */
  private static INDArray transform(String name, INDArray a,
      java.util.function.BiFunction<INDArray, INDArray, org.nd4j.linalg.api.ops.Op> op) {
    long t0 = System.nanoTime();
    INDArray z = uninit(a, a.shape());
    Nd4j.getExecutioner().exec(op.apply(a, z));
    record(name, t0, z.length());
    return z;
  }

  /** Running sums along the last axis, each row on its own (ND4J's cumsum, not exclusive). */
  static INDArray cumsum(INDArray a, boolean reverse) {
    long t0 = System.nanoTime();
    INDArray x = contiguous(a);
    INDArray z = uninit(x, x.shape());
    Nd4j.exec(new CumSum(x, z, false, reverse, x.rank() - 1));
    record("cumsum", t0, z.length());
    return z;
  }

  /** 1 where {@code a > c}, else 0. */
  static INDArray greaterThan(INDArray a, double c) {
    return Arena.track(a.gt(c).castTo(a.dataType()));
  }

  static INDArray max(INDArray a, double c) {
    return Arena.track(org.nd4j.linalg.ops.transforms.Transforms.max(a, c, true));
  }

  static INDArray sumAll(INDArray a) {
    return Arena.track(a.sum());
  }

  /** Sums over the given axes keeping them as size 1. */
  static INDArray sumKeep(INDArray a, int... axes) {
    long t0 = System.nanoTime();
    INDArray r;
    if (a.rank() == 3 && axes.length == 1 && axes[0] == 1 && a.size(1) > 64) {
      // ND4J's reduction along a middle axis is ~10x slower than a batched product with ones.
      INDArray ones = Arena.track(Nd4j.ones(a.dataType(), a.size(0), 1, a.size(1)));
      r = matmulImpl(ones, a, false, false);
    } else {
      r = Arena.track(a.sum(true, axes));
    }
    record("sumKeep", t0);
    return r;
  }

  static INDArray reshape(INDArray a, long... shape) {
    return Arena.track(contiguous(a).reshape('c', shape));
  }

  static INDArray permute(INDArray a, int... axes) {
    long t0 = System.nanoTime();
    long[] s = a.shape();
    long[] shape = new long[axes.length];
    for (int i = 0; i < axes.length; i++) {
      shape[i] = s[axes[i]];
    }
    INDArray z = uninit(a, shape).assign(a.permute(axes));
    record("permute", t0);
    return z;
  }

  static INDArray broadcastTo(INDArray a, long... shape) {
    if (Arrays.equals(a.shape(), shape)) {
      return a;
    }
    INDArray src = a;
    if (a.rank() < shape.length) {
      long[] padded = new long[shape.length];
      Arrays.fill(padded, 1);
      long[] s = a.shape();
      System.arraycopy(s, 0, padded, shape.length - s.length, s.length);
      src = reshape(a, padded);
    }
    long t0 = System.nanoTime();
    // INDArray.broadcast() takes ~40 ms for 2.5M floats here; adding into zeros broadcasts natively.
    INDArray z = uninit(a, shape).assign(0);
    Nd4j.exec(new AddOp(new INDArray[] {z, src}, new INDArray[] {z}));
    record("broadcastTo", t0);
    return z;
  }

  /** Sums {@code a} down to {@code shape}, the adjoint of broadcasting {@code shape} up. */
  static INDArray sumTo(INDArray a, long... shape) {
    long[] s = a.shape();
    if (Arrays.equals(s, shape)) {
      return a;
    }
    int lead = s.length - shape.length;
    int[] axes = new int[s.length];
    int n = 0;
    for (int i = 0; i < s.length; i++) {
      if (i < lead || (shape[i - lead] == 1 && s[i] != 1)) {
        axes[n++] = i;
      }
    }
    INDArray r = n == 0 ? a : sumKeep(a, Arrays.copyOf(axes, n));
    return reshape(r, shape);
  }

  /**
   * {@code op(a) @ op(b)} for rank-2 operands, or batch-wise for rank-3 operands with the same
   * leading size (one BLAS call per batch entry, on contiguous slices).
   */
  static INDArray matmul(INDArray a, INDArray b, boolean ta, boolean tb) {
    long t0 = System.nanoTime();
    INDArray z = matmulImpl(a, b, ta, tb);
    if (PROFILE) {
      long k = ta ? (a.rank() == 2 ? a.size(0) : a.size(1)) : a.size(a.rank() - 1);
      record("matmul" + a.rank(), t0, 2 * z.length() * k);
    }
    return z;
  }

  private static INDArray matmulImpl(INDArray a, INDArray b, boolean ta, boolean tb) {
    if (a.rank() == 2 && b.rank() == 2) {
      long m = ta ? a.size(1) : a.size(0);
      long k = ta ? a.size(0) : a.size(1);
      long kb = tb ? b.size(1) : b.size(0);
      long n = tb ? b.size(0) : b.size(1);
      checkInner(a, b, k, kb);
      INDArray z = uninit(a, m, n);
      Blas.gemmOrNd4j(contiguous(a), ta, contiguous(b), tb, z, 0.0);
      GEMM_FLOPS.addAndGet(2 * m * n * k);
      return z;
    }
    if (a.rank() == 3 && b.rank() == 3 && a.size(0) == b.size(0)) {
      long batch = a.size(0);
      long m = ta ? a.size(2) : a.size(1);
      long k = ta ? a.size(1) : a.size(2);
      long kb = tb ? b.size(2) : b.size(1);
      long n = tb ? b.size(1) : b.size(2);
      checkInner(a, b, k, kb);
      INDArray ac = contiguous(a);
      INDArray bc = contiguous(b);
      INDArray z = uninit(a, batch, m, n);
      if (2 * m * n * k < SMALL_SLICE_FLOPS && !Blas.supports(ac, bc, z)) {
        // Small per-task products the BLAS path does not take (other dtypes): one native batched
        // call, as slice views cost far more than the arithmetic. For float32 and float64 the
        // direct BLAS calls are cheaper still and round the same (the tape's rank-3 products, most
        // of them the sampler's small ones, fell from 2.41 to 1.25 s of kernel time per 4
        // iterations of the default bench).
        Nd4j.exec(new Mmul(ac, bc, z, MMulTranspose.builder().transposeA(ta).transposeB(tb).build()));
      } else {
        Blas.gemmOrNd4j(ac, ta, bc, tb, z, 0.0);
      }
      GEMM_FLOPS.addAndGet(2 * batch * m * n * k);
      return z;
    }
    throw new IllegalArgumentException(
        "matmul needs two rank-2 or two rank-3 operands with equal batch, got "
            + Arrays.toString(a.shape()) + " and " + Arrays.toString(b.shape()));
  }

  /**
   * {@code a @ w + bias} in one BLAS call onto the bias rows (see {@link Tensor#affine}), or null
   * where that path does not apply (other dtypes, shapes or layouts), for the caller to compose.
   */
  static INDArray affine(INDArray a, INDArray w, INDArray bias) {
    long t0 = System.nanoTime();
    boolean shared = w.rank() == 2 && (a.rank() == 2 || a.rank() == 3);
    boolean perTask = w.rank() == 3 && a.rank() == 3 && w.size(0) == a.size(0);
    if (!shared && !perTask) {
      return null;
    }
    long k = a.size(a.rank() - 1);
    long n = w.size(w.rank() - 1);
    if (w.size(w.rank() - 2) != k) {
      return null;
    }
    long tasks = perTask ? a.size(0) : 1;
    // Shared weights need one bias row; per-task weights one row per task.
    if (bias.length() != tasks * n || (perTask && !(bias.rank() == 3 && bias.size(1) == 1))
        || (shared && bias.size(bias.rank() - 1) != n)) {
      return null;
    }
    INDArray ac = contiguous(a);
    INDArray wc = contiguous(w);
    INDArray bc = contiguous(bias);
    long rows = shared ? ac.length() / k : a.size(1);
    INDArray lhs = shared ? ac.reshape('c', rows, k) : ac;
    INDArray z = uninit(a, shared ? new long[] {rows, n} : new long[] {tasks, rows, n});
    if (!Blas.supports(lhs, wc, z) || z.dataType() != bc.dataType()) {
      return null;
    }
    Fused.fillRows(z.reshape('c', tasks, rows, n), bc.reshape('c', tasks, 1, n));
    Blas.gemm(lhs, false, wc, false, z, 1.0);
    GEMM_FLOPS.addAndGet(2 * tasks * rows * n * k);
    record("affine", t0, 2 * tasks * rows * n * k);
    long[] shape = a.shape().clone();
    shape[shape.length - 1] = n;
    return shared ? Arena.track(z.reshape('c', shape)) : z;
  }

  private static void checkInner(INDArray a, INDArray b, long k, long kb) {
    if (k != kb) {
      throw new IllegalArgumentException(
          "matmul inner sizes differ: " + Arrays.toString(a.shape()) + " and "
              + Arrays.toString(b.shape()));
    }
  }

  /** {@code a} itself if dense row-major, else a dense copy owned by the current arena. */
  static INDArray contiguousDense(INDArray a) {
    return contiguous(a);
  }

  private static INDArray contiguous(INDArray a) {
    if (!(a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a))) {
      record("dup", System.nanoTime());
    }
    boolean dense = a.ordering() == 'c' && Shape.hasDefaultStridesForShape(a);
    return dense ? a : Arena.track(a.dup('c'));
  }
}
