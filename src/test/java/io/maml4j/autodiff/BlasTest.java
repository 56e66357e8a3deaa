package io.maml4j.autodiff;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The direct BLAS calls against {@code Nd4j.gemm} on standalone copies (bit for bit, as they call
 * the same library) and against a float64 triple loop, for every transposition, batched and shared
 * operands, accumulation into the output, and operands that are views at an offset into a larger
 * buffer.
 */
class BlasTest {
  private static INDArray random(DataType t, long seed, long... shape) {
    Nd4j.getRandom().setSeed(seed);
    return Nd4j.rand(t, shape).subi(0.5);
  }

  /** Batch entry {@code i} of {@code x} as a standalone row-major matrix (or x itself if rank 2). */
  private static INDArray entry(INDArray x, int i) {
    return (x.rank() == 2 ? x : x.slice(i)).dup('c');
  }

  private static void check(DataType t, int batch, int m, int n, int k, boolean ta, boolean tb, boolean sharedA,
      boolean sharedB, double beta, boolean views) {
    long[] sa = ta ? new long[] {k, m} : new long[] {m, k};
    long[] sb = tb ? new long[] {n, k} : new long[] {k, n};
    INDArray a = operand(t, 1, sharedA ? -1 : batch, sa, views);
    INDArray b = operand(t, 2, sharedB ? -1 : batch, sb, views);
    INDArray c = operand(t, 3, batch, new long[] {m, n}, views);
    INDArray expected = c.dup('c');
    for (int i = 0; i < batch; i++) {
      INDArray ci = expected.slice(i).dup('c');
      Nd4j.gemm(entry(a, i), entry(b, i), ci, ta, tb, 1.0, beta);
      expected.slice(i).assign(ci);
      INDArray naive = naive(entry(a, i), entry(b, i), ta, tb, entry(c, i), beta);
      INDArray got = ci.castTo(DataType.DOUBLE);
      double tol = t == DataType.FLOAT ? 1e-4 * k : 1e-12 * k;
      for (int r = 0; r < m; r++) {
        for (int col = 0; col < n; col++) {
          assertEquals(naive.getDouble(r, col), got.getDouble(r, col), tol);
        }
      }
    }
    assertTrue(Blas.supports(a, b, c));
    Blas.gemm(a, ta, b, tb, c, beta);
    String what = t + " batch " + batch + " " + m + "x" + n + "x" + k + (ta ? " A^T" : "") + (tb ? " B^T" : "")
        + (sharedA ? " shared A" : "") + (sharedB ? " shared B" : "") + " beta " + beta + (views ? " views" : "");
    if (t == DataType.FLOAT) {
      assertArrayEquals(expected.data().asFloat(), c.dup('c').data().asFloat(), what);
    } else {
      assertArrayEquals(expected.data().asDouble(), c.dup('c').data().asDouble(), what);
    }
  }

  /** A [batch, ...] operand (rank 2 when batch is -1), as a view at an offset when asked. */
  private static INDArray operand(DataType t, long seed, int batch, long[] matrix, boolean view) {
    long[] shape = batch < 0 ? matrix : new long[] {batch, matrix[0], matrix[1]};
    if (!view) {
      return random(t, seed, shape);
    }
    long[] outer = new long[shape.length + 1];
    outer[0] = 3;
    System.arraycopy(shape, 0, outer, 1, shape.length);
    INDArray x = random(t, seed, outer).slice(1);
    assertTrue(x.offset() > 0, "a view at an offset");
    return x;
  }

  private static INDArray naive(INDArray a, INDArray b, boolean ta, boolean tb, INDArray c, double beta) {
    INDArray ad = (ta ? a.transpose() : a).castTo(DataType.DOUBLE);
    INDArray bd = (tb ? b.transpose() : b).castTo(DataType.DOUBLE);
    long m = ad.size(0);
    long k = ad.size(1);
    long n = bd.size(1);
    INDArray out = c.castTo(DataType.DOUBLE).mul(beta);
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < n; j++) {
        double s = 0;
        for (int l = 0; l < k; l++) {
          s += ad.getDouble(i, l) * bd.getDouble(l, j);
        }
        out.putScalar(i, j, out.getDouble(i, j) + s);
      }
    }
    return out;
  }

  @Test
  void when_batched_float32_products_expect_bit_identical_to_nd4j_gemm_of_each_entry() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        check(DataType.FLOAT, 3, 37, 19, 23, ta, tb, false, false, 0.0, false);
        check(DataType.FLOAT, 3, 37, 19, 23, ta, tb, false, false, 1.0, true);
        check(DataType.FLOAT, 2, 64, 64, 300, ta, tb, false, true, 1.0, false);
        check(DataType.FLOAT, 2, 5, 64, 300, ta, tb, true, false, 0.0, true);
      }
    }
  }

  @Test
  void when_float64_and_rank2_products_expect_bit_identical_to_nd4j_gemm() {
    for (boolean ta : new boolean[] {false, true}) {
      for (boolean tb : new boolean[] {false, true}) {
        check(DataType.DOUBLE, 2, 11, 7, 13, ta, tb, false, false, 1.0, true);
        check(DataType.DOUBLE, 2, 11, 7, 13, ta, tb, true, true, 0.0, false);
      }
    }
    INDArray a = random(DataType.FLOAT, 4, 9, 5);
    INDArray b = random(DataType.FLOAT, 5, 5, 6);
    INDArray c = Nd4j.create(DataType.FLOAT, 9, 6);
    INDArray expected = Nd4j.create(DataType.FLOAT, 9, 6);
    Nd4j.gemm(a, b, expected, false, false, 1.0, 0.0);
    Blas.gemm(a, false, b, false, c, 0.0);
    assertArrayEquals(expected.data().asFloat(), c.data().asFloat());
  }

  @Test
  void when_operands_are_not_dense_row_major_or_mix_types_expect_not_supported_and_the_fallback_to_agree() {
    INDArray a = random(DataType.FLOAT, 1, 6, 4);
    INDArray b = random(DataType.FLOAT, 2, 4, 3);
    INDArray c = Nd4j.create(DataType.FLOAT, 6, 3);
    assertFalse(Blas.supports(a.dup('f'), b, c));
    assertFalse(Blas.supports(a, b.castTo(DataType.DOUBLE), c));
    assertFalse(Blas.supports(random(DataType.FLOAT, 3, 4, 6).transpose(), b, c));
    assertFalse(Blas.supports(a.castTo(DataType.HALF), b.castTo(DataType.HALF), c.castTo(DataType.HALF)));
    INDArray expected = Nd4j.create(DataType.FLOAT, 6, 3);
    Nd4j.gemm(a, b, expected, false, false, 1.0, 0.0);
    Blas.gemmOrNd4j(a.dup('f'), false, b, false, c, 0.0);
    assertArrayEquals(expected.data().asFloat(), c.data().asFloat(), 1e-6f);
  }
}
