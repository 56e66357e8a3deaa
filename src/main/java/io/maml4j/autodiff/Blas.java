package io.maml4j.autodiff;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.shape.Shape;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Matrix products handed straight to the BLAS's {@code cblas_sgemm}/{@code cblas_dgemm} at
 * element offsets into the arrays' buffers, one call per batch entry, with no view objects.
 *
 * <p>Why by hand: {@code Nd4j.gemm} on the per-task slices of a [T, N, n] batch copies view
 * operands and each {@code slice()} costs tens of microseconds, which halved the meta-step's
 * product throughput (10 products 2000x64 . 64x64 float32 on one core: 41 GFLOP/s through
 * slices against 82 GFLOP/s here and 81 for {@code Nd4j.gemm} on standalone arrays). The library
 * is the one ND4J itself calls, JavaCPP's OpenBLAS preset (Debian's OpenBLAS when the launcher puts
 * it first on the library path), so the products round exactly as {@code Nd4j.gemm}'s do.
 */
final class Blas {
  private static final int ROW_MAJOR = openblas_nolapack.CblasRowMajor;
  private static final int NO_TRANS = openblas_nolapack.CblasNoTrans;
  private static final int TRANS = openblas_nolapack.CblasTrans;

  private Blas() {}

  /** Whether {@link #gemm} takes these arrays: float32 or float64, dense row-major, not empty. */
  static boolean supports(INDArray... arrays) {
    DataType t = arrays[0].dataType();
    if (t != DataType.FLOAT && t != DataType.DOUBLE) {
      return false;
    }
    for (INDArray x : arrays) {
      if (x.dataType() != t || x.ordering() != 'c' || !Shape.hasDefaultStridesForShape(x) || x.isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /**
   * {@code c = op(a) op(b) + beta c}, where op transposes the last two axes when asked. Either all
   * three are rank 2, or {@code c} is rank 3 and each of {@code a} and {@code b} is rank 3 with
   * its batch or rank 2 (shared by every batch entry). Operands must satisfy {@link #supports};
   * shapes are checked by the caller.
   */
  static void gemm(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c, double beta) {
    int ra = a.rank();
    int rb = b.rank();
    long batch = c.rank() == 3 ? c.size(0) : 1;
    int m = Math.toIntExact(c.size(c.rank() - 2));
    int n = Math.toIntExact(c.size(c.rank() - 1));
    int k = Math.toIntExact(ta ? a.size(ra - 2) : a.size(ra - 1));
    int lda = Math.max(1, Math.toIntExact(a.size(ra - 1)));
    int ldb = Math.max(1, Math.toIntExact(b.size(rb - 1)));
    int ldc = Math.max(1, n);
    long strideA = ra == 3 ? (long) a.size(1) * a.size(2) : 0;
    long strideB = rb == 3 ? (long) b.size(1) * b.size(2) : 0;
    long strideC = (long) m * n;
    int transA = ta ? TRANS : NO_TRANS;
    int transB = tb ? TRANS : NO_TRANS;
    Pointer pa = a.data().addressPointer();
    Pointer pb = b.data().addressPointer();
    Pointer pc = c.data().addressPointer();
    long oa = elementOffset(a);
    long ob = elementOffset(b);
    long oc = elementOffset(c);
    // One pointer object per operand, moved along the batch: JNI reads the position at each call.
    if (a.dataType() == DataType.FLOAT) {
      FloatPointer fa = new FloatPointer(pa);
      FloatPointer fb = new FloatPointer(pb);
      FloatPointer fc = new FloatPointer(pc);
      for (long i = 0; i < batch; i++) {
        openblas_nolapack.cblas_sgemm(ROW_MAJOR, transA, transB, m, n, k, 1f, fa.position(oa + i * strideA), lda,
            fb.position(ob + i * strideB), ldb, (float) beta, fc.position(oc + i * strideC), ldc);
      }
    } else {
      DoublePointer da = new DoublePointer(pa);
      DoublePointer db = new DoublePointer(pb);
      DoublePointer dc = new DoublePointer(pc);
      for (long i = 0; i < batch; i++) {
        openblas_nolapack.cblas_dgemm(ROW_MAJOR, transA, transB, m, n, k, 1.0, da.position(oa + i * strideA), lda,
            db.position(ob + i * strideB), ldb, beta, dc.position(oc + i * strideC), ldc);
      }
    }
  }

  /**
   * Where {@code x}'s first element sits from its buffer's address pointer: a view's {@code
   * offset()} counts from the buffer it was cut from, while its own buffer's pointer already
   * starts at that buffer's offset.
   */
  static long elementOffset(INDArray x) {
    return x.offset() - x.data().offset();
  }

  /** As {@link #gemm} when the operands allow it, else {@code Nd4j.gemm} entry by entry. */
  static void gemmOrNd4j(INDArray a, boolean ta, INDArray b, boolean tb, INDArray c, double beta) {
    if (supports(a, b, c)) {
      gemm(a, ta, b, tb, c, beta);
    } else if (c.rank() == 2) {
      Nd4j.gemm(a, b, c, ta, tb, 1.0, beta);
    } else {
      for (int i = 0; i < c.size(0); i++) {
        Nd4j.gemm(a.rank() == 2 ? a : a.slice(i), b.rank() == 2 ? b : b.slice(i), c.slice(i), ta, tb, 1.0, beta);
      }
    }
  }
}
