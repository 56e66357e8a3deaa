package io.maml4j.autodiff;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Elementwise combinations that the structured curvature products apply to constants, outside
 * the tape: each returns a constant tensor (nothing is recorded, whatever the inputs) allocated
 * in the current {@link Arena}. Binary operands broadcast as in {@link Tensor}.
 *
 * <p>They are the multiply-add chains of forward-over-reverse passes; each is named after its
 * formula so the caller reads as the derivation.
 */
public final class Fused {
  private Fused() {}

  /** 1 where {@code x > c}, else 0, in x's type. */
  public static Tensor greaterThan(Tensor x, double c) {
    return Tensor.constant(Kernels.greaterThan(x.value(), c));
  }

  /** {@code max(x, c)}. */
  public static Tensor clampMin(Tensor x, double c) {
    return Tensor.constant(Kernels.max(x.value(), c));
  }

  /** {@code 1 - x²}. */
  public static Tensor oneMinusSquare(Tensor x) {
    return Tensor.constant(Kernels.oneMinusSquare(x.value()));
  }

  /**
   * {@code tanh(x)}, with {@code 1 - tanh²(x)} in {@code derivative[0]}, from one pass where the
   * hand-written loops apply.
   */
  public static Tensor tanh(Tensor x, Tensor[] derivative) {
    INDArray[] d = new INDArray[1];
    Tensor y = Tensor.constant(Kernels.tanh(x.value(), d));
    derivative[0] = Tensor.constant(d[0]);
    return y;
  }

  /** {@code a + b + c}. */
  public static Tensor add3(Tensor a, Tensor b, Tensor c) {
    INDArray ab = Kernels.binary(Kernels.Binary.ADD, a.value(), b.value());
    return Tensor.constant(inPlace(Kernels.Binary.ADD, ab, c.value()));
  }

  /** {@code k a b}. */
  public static Tensor mulScaled(Tensor a, Tensor b, double k) {
    INDArray f = Kernels.fusedOrNull(FloatLoops.Op.MUL_SCALED, a.value(), b.value(), null, null, k);
    if (f != null) {
      return Tensor.constant(f);
    }
    INDArray ab = Kernels.binary(Kernels.Binary.MUL, a.value(), b.value());
    ab.muli(k);
    return Tensor.constant(ab);
  }

  /**
   * {@code a - k b}: a step along -b, in one pass in float32 (rounding as {@code
   * a.sub(b.scale(k))}). {@code b} may carry a leading task axis that {@code a} lacks (a shared
   * point stepped per task); the result has b's shape.
   */
  public static Tensor subScaled(Tensor a, Tensor b, double k) {
    INDArray av = a.value();
    INDArray bv = b.value();
    long[] as = av.shape();
    long[] bs = bv.shape();
    boolean same = java.util.Arrays.equals(as, bs);
    boolean repeats = bs.length == as.length + 1
        && java.util.Arrays.equals(as, java.util.Arrays.copyOfRange(bs, 1, bs.length));
    if (!same && !repeats) {
      throw new IllegalArgumentException("subScaled needs b of a's shape or with a leading task axis, got "
          + java.util.Arrays.toString(as) + " and " + java.util.Arrays.toString(bs));
    }
    if (FloatLoops.applies(bv) && FloatLoops.applies(av)) {
      long t0 = System.nanoTime();
      INDArray z = Kernels.uninit(bv, bs);
      FloatLoops.subScaled(z, av, bv, k);
      Kernels.record("SUB_SCALED", t0, z.length());
      return Tensor.constant(z);
    }
    // Broadcasts a over b's task axis when it lacks one.
    return Tensor.constant(Kernels.binary(Kernels.Binary.SUB, av, Kernels.scale(bv, k)));
  }

  /** {@code a b + c d}. */
  public static Tensor mulAddMul(Tensor a, Tensor b, Tensor c, Tensor d) {
    INDArray f = Kernels.fusedOrNull(FloatLoops.Op.MUL_ADD_MUL, a.value(), b.value(), c.value(), d.value(), 0);
    if (f != null) {
      return Tensor.constant(f);
    }
    INDArray ab = Kernels.binary(Kernels.Binary.MUL, a.value(), b.value());
    INDArray cd = Kernels.binary(Kernels.Binary.MUL, c.value(), d.value());
    return Tensor.constant(inPlace(Kernels.Binary.ADD, ab, cd));
  }

  /** {@code a b - k c d}. */
  public static Tensor mulSubScaledMul(Tensor a, Tensor b, Tensor c, Tensor d, double k) {
    INDArray f = Kernels.fusedOrNull(FloatLoops.Op.MUL_SUB_SCALED_MUL, a.value(), b.value(), c.value(), d.value(), k);
    if (f != null) {
      return Tensor.constant(f);
    }
    INDArray ab = Kernels.binary(Kernels.Binary.MUL, a.value(), b.value());
    INDArray cd = Kernels.binary(Kernels.Binary.MUL, c.value(), d.value());
    cd.muli(k);
    return Tensor.constant(inPlace(Kernels.Binary.SUB, ab, cd));
  }

  /**
   * {@code k (p dz - p Σ_last(p dz))}: the product of a softmax's Jacobian diag(p) - p p^T with
   * {@code dz} over the last axis, scaled per row by {@code k}.
   */
  public static Tensor softmaxJvp(Tensor p, Tensor dz, Tensor k) {
    INDArray pdz = Kernels.binary(Kernels.Binary.MUL, p.value(), dz.value());
    INDArray s = Kernels.sumKeep(pdz, 2);
    INDArray ps = Kernels.binary(Kernels.Binary.MUL, p.value(), s);
    INDArray diff = inPlace(Kernels.Binary.SUB, pdz, ps);
    return Tensor.constant(Kernels.binary(Kernels.Binary.MUL, diff, k.value()));
  }

  /**
   * {@code op(a1) op(b1) + op(a2) op(b2)} (the second term optional: {@code a2 == null}), where op
   * transposes the last two axes when asked: the second product accumulates into the first's
   * output inside the BLAS call (beta = 1) rather than in an extra elementwise pass. Operands are
   * rank 3 with equal batch, or a rank-3 left operand with a shared rank-2 right one.
   */
  public static Tensor matmulSum(Tensor a1, Tensor b1, boolean ta1, boolean tb1, Tensor a2, Tensor b2, boolean ta2,
      boolean tb2) {
    return matmulSum(a1, b1, ta1, tb1, a2, b2, ta2, tb2, null);
  }

  /**
   * As {@link #matmulSum(Tensor, Tensor, boolean, boolean, Tensor, Tensor, boolean, boolean)}
   * plus a row {@code bias} [batch, 1, n] (or null) broadcast over the rows: the output starts as
   * the bias rows and both products accumulate into it, instead of a broadcast add over the whole
   * output afterwards. The sum then rounds as (bias + op(a1) op(b1)) + op(a2) op(b2).
   */
  public static Tensor matmulSum(Tensor a1, Tensor b1, boolean ta1, boolean tb1, Tensor a2, Tensor b2, boolean ta2,
      boolean tb2, Tensor bias) {
    INDArray x = a1.value();
    long batch = x.size(0);
    long m = ta1 ? x.size(2) : x.size(1);
    long n = tb1 ? b1.value().size(b1.rank() - 2) : b1.value().size(b1.rank() - 1);
    INDArray out = Kernels.uninit(x, batch, m, n);
    double beta = 0.0;
    if (bias != null) {
      fillRows(out, bias.value());
      beta = 1.0;
    }
    gemmInto(x, b1.value(), ta1, tb1, out, beta);
    if (a2 != null) {
      gemmInto(a2.value(), b2.value(), ta2, tb2, out, 1.0);
    }
    return Tensor.constant(out);
  }

  /** Every row of {@code out} [batch, m, n] set to its batch entry's row of {@code rows} [batch or 1, 1, n]. */
  static void fillRows(INDArray out, INDArray rows) {
    long t0 = System.nanoTime();
    long batch = out.size(0);
    long n = out.size(2);
    INDArray r = Kernels.contiguousDense(rows.rank() == 3 ? rows : rows.reshape(1, 1, n));
    if (r.size(2) != n || (r.size(0) != batch && r.size(0) != 1) || r.size(1) != 1) {
      throw new IllegalArgumentException("bias " + java.util.Arrays.toString(rows.shape()) + " does not match rows of "
          + java.util.Arrays.toString(out.shape()));
    }
    if (!FloatLoops.fillRows(out, r)) {
      out.assign(r.broadcast(out.shape()));
    }
    Kernels.record("fillRows", t0, out.length());
  }

  /**
   * Sums {@code x} [T, N, n] over its rows, to [T, 1, n]: a product with a row of ones per task,
   * because ND4J's reduction along a middle axis is several times slower.
   */
  public static Tensor sumRows(Tensor x) {
    INDArray v = Kernels.contiguousDense(x.value());
    long batch = v.size(0);
    long rows = v.size(1);
    INDArray ones = Kernels.uninit(v, 1, rows).assign(1.0);
    INDArray out = Kernels.uninit(v, batch, 1, v.size(2));
    Blas.gemmOrNd4j(ones, false, v, false, out, 0.0);
    Kernels.GEMM_FLOPS.addAndGet(2 * batch * rows * v.size(2));
    return Tensor.constant(out);
  }

  private static void gemmInto(INDArray a, INDArray b, boolean ta, boolean tb, INDArray out, double beta) {
    long t0 = System.nanoTime();
    INDArray ac = Kernels.contiguousDense(a);
    INDArray bc = Kernels.contiguousDense(b);
    long k = ta ? ac.size(1) : ac.size(2);
    long kb = tb ? bc.size(bc.rank() - 1) : bc.size(bc.rank() - 2);
    if (k != kb || ac.rank() != 3) {
      throw new IllegalArgumentException("matmulSum operands do not match: " + java.util.Arrays.toString(a.shape())
          + (ta ? "^T" : "") + " and " + java.util.Arrays.toString(b.shape()) + (tb ? "^T" : ""));
    }
    long batch = out.size(0);
    long m = out.size(1);
    long n = out.size(2);
    if (bc.rank() == 2 && !ta) {
      // A weight shared by the batch: one product over all its rows.
      Blas.gemmOrNd4j(ac.reshape('c', batch * m, k), false, bc, tb, out.reshape('c', batch * m, n), beta);
    } else {
      Blas.gemmOrNd4j(ac, ta, bc, tb, out, beta);
    }
    Kernels.GEMM_FLOPS.addAndGet(2 * batch * m * n * k);
    Kernels.record("matmulSum", t0, 2 * batch * m * n * k);
  }

  /** {@code a op= b} when the result keeps a's shape; else a fresh array. */
  private static INDArray inPlace(Kernels.Binary op, INDArray a, INDArray b) {
    if (!java.util.Arrays.equals(Kernels.broadcastShape(a.shape(), b.shape()), a.shape())) {
      return Kernels.binary(op, a, b);
    }
    INDArray[] in = {a, b};
    INDArray[] out = {a};
    switch (op) {
      case ADD -> Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.AddOp(in, out));
      case SUB -> Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp(in, out));
      case MUL -> Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.MulOp(in, out));
      case DIV -> Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.DivOp(in, out));
    }
    return a;
  }
}
