package io.maml4j.autodiff;

import java.nio.FloatBuffer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Hand-written float32 elementwise loops for the few kernels where ND4J is the bottleneck.
 *
 * <p>Why by hand: ND4J 1.0.0-M2.1 computes tanh with the C library's scalar {@code tanhf}, measured
 * at 14-21 ns per element on these machines (about 1.2 s of CPU per default 2D-navigation
 * meta-iteration), and it runs a multiply-add chain such as {@code a b + c d} as three passes
 * over arrays that do not fit in cache. Here each kernel is one pass: the operands are copied
 * from their off-heap buffers in chunks that stay in L1, combined in a plain loop that the JIT
 * compiles to SIMD instructions, and copied back. Multiplies and adds round exactly as ND4J's
 * passes do (Java never contracts {@code a * b + c} into a fused multiply-add), so those kernels
 * give bit-identical results; tanh is a rational approximation within 6 ulp (see {@link #tanh}).
 *
 * <p>Every kernel applies only to dense C-order float32 arrays of equal length; {@link #applies}
 * says so, and callers fall back to ND4J otherwise (float64 gradient checks take the ND4J path).
 */
final class FloatLoops {
  private FloatLoops() {}

  private static final int CHUNK = 2048;

  // Scratch chunks per thread: kernels take up to four operands and write up to two outputs.
  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[6][CHUNK]);

  /** Whether every array but the null ones is dense C-order float32 of the first one's length. */
  static boolean applies(INDArray... xs) {
    long n = xs[0].length();
    for (INDArray x : xs) {
      if (x == null) {
        continue;
      }
      if (x.dataType() != DataType.FLOAT || !dense(x) || x.length() != n || n > Integer.MAX_VALUE) {
        return false;
      }
    }
    return true;
  }

  /**
   * Whether the elements lie in C order without gaps from the array's offset (for a view, {@code
   * offset()} counts from the start of the buffer {@code asNioFloat()} covers). Size-1 axes may
   * carry any stride, so they are not checked.
   */
  static boolean dense(INDArray x) {
    long[] shape = x.shape();
    long[] stride = x.stride();
    long expect = 1;
    for (int i = shape.length - 1; i >= 0; i--) {
      if (shape[i] != 1 && stride[i] != expect) {
        return false;
      }
      expect *= shape[i];
    }
    return true;
  }

  static FloatBuffer buffer(INDArray x) {
    return x.data().asNioFloat();
  }

  static int base(INDArray x) {
    return Math.toIntExact(x.offset());
  }

  // Coefficients of tanh(x) ≈ x P(x²) / Q(x²) on |x| ≤ CLAMP, fitted for this project by
  // iteratively reweighted least squares on the relative error (1.6e-9 in float64; evaluated in
  // float32 as below, within 5.5 ulp of tanh and |y| ≤ 1). Inputs are clamped to ±CLAMP, where
  // tanh is within 4 ulp of ±1 in float32; a select for exact saturation would stop the JIT
  // from vectorising the loop.
  private static final float CLAMP = 7.905311f;
  private static final float P0 = 0.9999999984612535f;
  private static final float P1 = 0.13127954073498616f;
  private static final float P2 = 0.0031534464631156156f;
  private static final float P3 = 1.168730266416258e-05f;
  private static final float P4 = -2.2515470241284605e-08f;
  private static final float P5 = 6.477201531539898e-11f;
  private static final float P6 = -1.190694881320231e-13f;
  private static final float Q1 = 0.46461285803426616f;
  private static final float Q2 = 0.02469109364384214f;
  private static final float Q3 = 0.0002619032507086628f;

  /**
   * {@code y = tanh(x)} and, when {@code dy} is not null, {@code dy = 1 - y²} in the same pass.
   * NaN stays NaN; |x| ≥ 7.905 (±∞ included) gives ±0.99999976, tanh(7.905) rounded.
   */
  static void tanh(INDArray x, INDArray y, INDArray dy) {
    float[][] s = SCRATCH.get();
    float[] in = s[0];
    float[] out = s[1];
    float[] der = s[2];
    FloatBuffer bx = buffer(x);
    FloatBuffer by = buffer(y);
    FloatBuffer bd = dy == null ? null : buffer(dy);
    int n = (int) x.length();
    int ox = base(x);
    int oy = base(y);
    int od = dy == null ? 0 : base(dy);
    for (int at = 0; at < n; at += CHUNK) {
      int len = Math.min(CHUNK, n - at);
      bx.get(ox + at, in, 0, len);
      tanh(in, out, der, len);
      by.put(oy + at, out, 0, len);
      if (bd != null) {
        bd.put(od + at, der, 0, len);
      }
    }
  }

  /** {@code out = tanh(in)} and {@code der = 1 - out²} for the first {@code len} elements, as above. */
  static void tanh(float[] in, float[] out, float[] der, int len) {
    for (int i = 0; i < len; i++) {
      float v = Math.max(-CLAMP, Math.min(CLAMP, in[i]));
      float u = v * v;
      float p = ((((((P6 * u + P5) * u + P4) * u + P3) * u + P2) * u + P1) * u + P0) * v;
      float q = ((Q3 * u + Q2) * u + Q1) * u + 1f;
      float t = p / q;
      out[i] = t;
      der[i] = 1f - t * t;
    }
  }

  /**
   * Sets every row of {@code out} [batch, m, n] to its batch entry's row of {@code rows} [batch or
   * 1, 1, n]; false (nothing written) unless both are dense float32.
   */
  static boolean fillRows(INDArray out, INDArray rows) {
    if (out.dataType() != DataType.FLOAT || rows.dataType() != DataType.FLOAT || !dense(out) || !dense(rows)
        || out.length() > Integer.MAX_VALUE) {
      return false;
    }
    float[] chunk = SCRATCH.get()[5];
    int batch = Math.toIntExact(out.size(0));
    int m = Math.toIntExact(out.size(1));
    int n = Math.toIntExact(out.size(2));
    if (n > CHUNK) {
      return false;
    }
    FloatBuffer bo = buffer(out);
    FloatBuffer br = buffer(rows);
    int oo = base(out);
    int or = base(rows);
    int perChunk = CHUNK / n;
    for (int i = 0; i < batch; i++) {
      br.get(or + (rows.size(0) == 1 ? 0 : i * n), chunk, 0, n);
      for (int j = 1; j < perChunk; j++) {
        System.arraycopy(chunk, 0, chunk, j * n, n);
      }
      for (int row = 0; row < m; row += perChunk) {
        int len = Math.min(perChunk, m - row) * n;
        bo.put(oo + (i * m + row) * n, chunk, 0, len);
      }
    }
    return true;
  }

  /**
   * out = a - (b k) elementwise ({@link Op#SUB_SCALED}), where {@code a} may repeat: its length
   * divides out's (a shared parameter against a per-task stack), or equals it. All dense float32
   * ({@link #applies}), b of out's length.
   */
  static void subScaled(INDArray out, INDArray a, INDArray b, double k) {
    long n = out.length();
    long na = a.length();
    if (!applies(out, b) || !applies(a) || na == 0 || n % na != 0) {
      throw new IllegalArgumentException("subScaled over " + n + " elements needs dense float32 operands, a of a"
          + " length dividing it, got " + na);
    }
    int period = (int) na;
    for (int from = 0; from < n; from += period) {
      run(Op.SUB_SCALED, buffer(out), base(out) + from, buffer(a), base(a), buffer(b), base(b) + from, null, 0, null,
          0, period, (float) k);
    }
  }

  /** The operations of {@link #apply}: out = f(a, b, c, d) elementwise. */
  enum Op {
    /** a b */
    MUL,
    /** 1 - a² */
    ONE_MINUS_SQUARE,
    /** k a b */
    MUL_SCALED,
    /** a b + c d */
    MUL_ADD_MUL,
    /** a b - k (c d) */
    MUL_SUB_SCALED_MUL,
    /** a - b k */
    SUB_SCALED
  }

  /**
   * One pass of {@code op} into {@code out}; operands the op does not use may be null. Rounds as
   * the ND4J passes it replaces: each product to float, then the scale, then the sum.
   */
  static void apply(Op op, INDArray out, INDArray a, INDArray b, INDArray c, INDArray d, double k) {
    run(op, buffer(out), base(out), buffer(a), base(a), b == null ? null : buffer(b), b == null ? 0 : base(b),
        c == null ? null : buffer(c), c == null ? 0 : base(c), d == null ? null : buffer(d), d == null ? 0 : base(d),
        (int) out.length(), (float) k);
  }

  /** {@code op} over n elements of the buffers from the given element offsets, in scratch-sized chunks. */
  private static void run(Op op, FloatBuffer bz, int oz, FloatBuffer ba, int oa, FloatBuffer bb, int ob,
      FloatBuffer bc, int oc, FloatBuffer bdd, int od, int n, float kf) {
    float[][] s = SCRATCH.get();
    float[] xa = s[0];
    float[] xb = s[1];
    float[] xc = s[2];
    float[] xd = s[3];
    float[] z = s[4];
    for (int at = 0; at < n; at += CHUNK) {
      int len = Math.min(CHUNK, n - at);
      ba.get(oa + at, xa, 0, len);
      if (bb != null) {
        bb.get(ob + at, xb, 0, len);
      }
      if (bc != null) {
        bc.get(oc + at, xc, 0, len);
      }
      if (bdd != null) {
        bdd.get(od + at, xd, 0, len);
      }
      switch (op) {
        case MUL -> {
          for (int i = 0; i < len; i++) {
            z[i] = xa[i] * xb[i];
          }
        }
        case ONE_MINUS_SQUARE -> {
          for (int i = 0; i < len; i++) {
            z[i] = 1f - xa[i] * xa[i];
          }
        }
        case MUL_SCALED -> {
          for (int i = 0; i < len; i++) {
            z[i] = (xa[i] * xb[i]) * kf;
          }
        }
        case MUL_ADD_MUL -> {
          for (int i = 0; i < len; i++) {
            z[i] = xa[i] * xb[i] + xc[i] * xd[i];
          }
        }
        case MUL_SUB_SCALED_MUL -> {
          for (int i = 0; i < len; i++) {
            z[i] = xa[i] * xb[i] - (xc[i] * xd[i]) * kf;
          }
        }
        case SUB_SCALED -> {
          for (int i = 0; i < len; i++) {
            z[i] = xa[i] - xb[i] * kf;
          }
        }
      }
      bz.put(oz + at, z, 0, len);
    }
  }
}
