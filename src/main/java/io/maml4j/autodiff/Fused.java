package io.maml4j.autodiff;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.scalar.ScalarReverseSubtraction;
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
    INDArray v = Kernels.binary(Kernels.Binary.MUL, x.value(), x.value());
    Nd4j.getExecutioner().exec(new ScalarReverseSubtraction(v, null, v, 1.0));
    return Tensor.constant(v);
  }

  /** {@code a + b + c}. */
  public static Tensor add3(Tensor a, Tensor b, Tensor c) {
    INDArray ab = Kernels.binary(Kernels.Binary.ADD, a.value(), b.value());
    return Tensor.constant(inPlace(Kernels.Binary.ADD, ab, c.value()));
  }

  /** {@code k a b}. */
  public static Tensor mulScaled(Tensor a, Tensor b, double k) {
    INDArray ab = Kernels.binary(Kernels.Binary.MUL, a.value(), b.value());
    ab.muli(k);
    return Tensor.constant(ab);
  }

  /** {@code a b + c d}. */
  public static Tensor mulAddMul(Tensor a, Tensor b, Tensor c, Tensor d) {
    INDArray ab = Kernels.binary(Kernels.Binary.MUL, a.value(), b.value());
    INDArray cd = Kernels.binary(Kernels.Binary.MUL, c.value(), d.value());
    return Tensor.constant(inPlace(Kernels.Binary.ADD, ab, cd));
  }

  /** {@code a b - k c d}. */
  public static Tensor mulSubScaledMul(Tensor a, Tensor b, Tensor c, Tensor d, double k) {
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
