package io.maml4j.autodiff;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An immutable node of a differentiable computation: an ND4J array plus, when it was computed
 * from tensors that require gradients while recording, the rule that maps its gradient to its
 * inputs' gradients.
 *
 * <p>Every backward rule is itself written with tensor operations, so gradients computed with
 * {@link Grad#grad(Tensor, java.util.List, boolean) createGraph} can be differentiated again,
 * to any order. Binary elementwise operations broadcast as NumPy does.
 */
public final class Tensor {
  /** Maps the gradient of this node to the gradients of its inputs (null where not needed). */
  @FunctionalInterface
  interface Backward {
    Tensor[] apply(Tensor grad);
  }

  private static final Tensor[] NO_INPUTS = new Tensor[0];

  private final INDArray value;
  private final boolean requiresGrad;
  private final Tensor[] inputs;
  private final Backward backward;
  private final String op;
  // The arena this node was created in: caches attached to the node must live exactly as long.
  private final Arena owner = Arena.current();

  private Tensor(INDArray value, boolean requiresGrad, Tensor[] inputs, Backward backward, String op) {
    this.value = value;
    this.requiresGrad = requiresGrad;
    this.inputs = inputs;
    this.backward = backward;
    this.op = op;
  }

  /** Floating-point operations done by matrix products in this process so far. */
  public static long gemmFlops() {
    return Kernels.GEMM_FLOPS.get();
  }

  /** Per-kernel timings when profiling is on (-Dmaml4j.profile=true); empty otherwise. */
  public static String profile() {
    return Kernels.profile();
  }

  /** A leaf that gradients are never taken with respect to. */
  public static Tensor constant(INDArray value) {
    return new Tensor(value, false, NO_INPUTS, null, "const");
  }

  /** A leaf that gradients can be taken with respect to. */
  public static Tensor variable(INDArray value) {
    return new Tensor(value, true, NO_INPUTS, null, "var");
  }

  /** A scalar constant of the given type. */
  public static Tensor scalar(double v, DataType type) {
    return constant(Arena.track(Nd4j.scalar(type, v)));
  }

  // Package-private so that the ops of Conv can record their own backward rules.
  static Tensor node(INDArray value, String op, Backward backward, Tensor... inputs) {
    boolean req = false;
    if (Tape.isRecording()) {
      for (Tensor t : inputs) {
        req |= t.requiresGrad;
      }
    }
    return req ? new Tensor(value, true, inputs, backward, op) : new Tensor(value, false, NO_INPUTS, null, op);
  }

  /** The array this tensor holds. Callers must not modify it. */
  public INDArray value() {
    return value;
  }

  public boolean requiresGrad() {
    return requiresGrad;
  }

  public long[] shape() {
    return value.shape();
  }

  public int rank() {
    return value.rank();
  }

  public long size(int dim) {
    return value.size(dim);
  }

  public DataType dataType() {
    return value.dataType();
  }

  /** The value of a single-element tensor. */
  public double item() {
    return value.getDouble(0);
  }

  /** The elements in row-major order, as doubles. */
  public double[] toDoubles() {
    INDArray v = value.ordering() == 'c' && !value.isView() ? value : value.dup('c');
    if (v.dataType() == DataType.DOUBLE) {
      return v.data().asDouble().length == v.length() ? v.data().asDouble() : v.reshape(v.length()).toDoubleVector();
    }
    return v.reshape(v.length()).castTo(DataType.DOUBLE).toDoubleVector();
  }

  /** A constant of shape {@code shape} holding {@code data} in row-major order. */
  public static Tensor of(double[] data, DataType type, long... shape) {
    if (type == DataType.FLOAT) {
      // Converting here avoids a float64 intermediate that only the garbage collector would free.
      return constant(Arena.track(Nd4j.create(toFloats(data), shape, DataType.FLOAT)));
    }
    return constant(Arena.track(Nd4j.create(data, shape, type)));
  }

  // Its own method so that the JIT compiles this loop alone: inside of(), every on-stack
  // compilation of the loop also recompiled ND4J's array creation it inlines.
  private static float[] toFloats(double[] data) {
    float[] f = new float[data.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) data[i];
    }
    return f;
  }

  Tensor[] inputs() {
    return inputs;
  }

  Backward backward() {
    return backward;
  }

  /** A constant copy of entries {@code from} (inclusive) to {@code to} of the leading axis. */
  public Tensor slice(long from, long to) {
    INDArray v = value.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to));
    return constant(Arena.track(v.dup('c')));
  }

  /** A constant copy on the garbage-collected heap, outside every arena. */
  public Tensor copyToHeap() {
    return constant(value.dup());
  }

  /** This tensor in another floating-point type (itself if already of that type). */
  public Tensor cast(DataType type) {
    if (type == dataType()) {
      return this;
    }
    DataType from = dataType();
    return node(Arena.track(value.castTo(type)), "cast", g -> new Tensor[] {g.cast(from)}, this);
  }

  /** The same value, cut off from the graph. */
  public Tensor detach() {
    return constant(value);
  }

  // ---- elementwise binary (broadcasting) ----

  public Tensor add(Tensor b) {
    Tensor a = this;
    return node(Kernels.binary(Kernels.Binary.ADD, a.value, b.value), "add",
        g -> new Tensor[] {g.sumTo(a.shape()), g.sumTo(b.shape())}, a, b);
  }

  public Tensor sub(Tensor b) {
    Tensor a = this;
    return node(Kernels.binary(Kernels.Binary.SUB, a.value, b.value), "sub",
        g -> new Tensor[] {g.sumTo(a.shape()), b.requiresGrad ? g.neg().sumTo(b.shape()) : null}, a, b);
  }

  public Tensor mul(Tensor b) {
    Tensor a = this;
    return node(Kernels.binary(Kernels.Binary.MUL, a.value, b.value), "mul",
        g -> new Tensor[] {
          a.requiresGrad ? g.mul(b).sumTo(a.shape()) : null,
          b.requiresGrad ? g.mul(a).sumTo(b.shape()) : null
        }, a, b);
  }

  public Tensor div(Tensor b) {
    Tensor a = this;
    return node(Kernels.binary(Kernels.Binary.DIV, a.value, b.value), "div",
        g -> {
          Tensor ga = g.div(b);
          return new Tensor[] {
            a.requiresGrad ? ga.sumTo(a.shape()) : null,
            b.requiresGrad ? ga.mul(a).div(b).neg().sumTo(b.shape()) : null
          };
        }, a, b);
  }

  // ---- elementwise unary ----

  public Tensor neg() {
    return scale(-1.0);
  }

  public Tensor scale(double c) {
    return node(Kernels.scale(value, c), "scale", g -> new Tensor[] {g.scale(c)}, this);
  }

  public Tensor addScalar(double c) {
    return node(Kernels.addScalar(value, c), "addScalar", g -> new Tensor[] {g}, this);
  }

  public Tensor square() {
    Tensor a = this;
    return node(Kernels.binary(Kernels.Binary.MUL, value, value), "square",
        g -> new Tensor[] {g.mul(a).scale(2.0)}, a);
  }

  public Tensor exp() {
    INDArray y = Kernels.exp(value);
    Tensor[] self = new Tensor[1];
    Tensor out = node(y, "exp", g -> new Tensor[] {g.mul(self[0])}, this);
    self[0] = out;
    return out;
  }

  public Tensor log() {
    Tensor a = this;
    return node(Kernels.log(value), "log", g -> new Tensor[] {g.div(a)}, a);
  }

  public Tensor tanh() {
    // A recorded tanh will be differentiated: its 1 - y² comes from the same pass as y.
    INDArray[] dy = Tape.isRecording() && requiresGrad ? new INDArray[1] : null;
    INDArray y = Kernels.tanh(value, dy);
    Tensor[] self = new Tensor[1];
    Tensor out = node(y, "tanh", g -> new Tensor[] {g.mul(self[0].tanhDerivative())}, this);
    if (dy != null) {
      out.tanhDerivativeValue = dy[0];
    }
    self[0] = out;
    return out;
  }

  // 1 - y^2 of a tanh output y, computed once per node and reused by every backward pass
  // through it (each conjugate-gradient iteration differentiates the same forward graph again).
  // Its value comes from the forward pass when that was recorded, else from the first backward.
  private INDArray tanhDerivativeValue;
  private Tensor tanhDerivativeRecorded;
  private Tensor tanhDerivativeConstant;

  private Tensor tanhDerivative() {
    boolean recorded = Tape.isRecording() && requiresGrad;
    Tensor cached = recorded ? tanhDerivativeRecorded : tanhDerivativeConstant;
    if (cached == null) {
      if (tanhDerivativeValue != null) {
        Tensor x = this;
        INDArray v = tanhDerivativeValue;
        cached = Arena.within(owner, () -> recorded
            ? node(v, "oneMinusSquare", g -> new Tensor[] {g.mul(x).scale(-2.0)}, x)
            : constant(v));
      } else {
        cached = Arena.within(owner, this::oneMinusSquare);
      }
      if (recorded) {
        tanhDerivativeRecorded = cached;
      } else {
        tanhDerivativeConstant = cached;
      }
    }
    return cached;
  }

  /** {@code 1 - x^2}, fused: it is kept alive for every tanh layer of a recorded graph. */
  Tensor oneMinusSquare() {
    INDArray v = Kernels.oneMinusSquare(value);
    Tensor x = this;
    return node(v, "oneMinusSquare", g -> new Tensor[] {g.mul(x).scale(-2.0)}, this);
  }

  /** Rectified linear unit; its derivative is taken as 0 at 0. */
  public Tensor relu() {
    INDArray mask = Kernels.greaterThan(value, 0.0);
    Tensor m = constant(mask);
    return node(Kernels.binary(Kernels.Binary.MUL, value, mask), "relu", g -> new Tensor[] {g.mul(m)}, this);
  }

  /** {@code max(this, c)} elementwise; the gradient flows only where the input exceeds c. */
  public Tensor clampMin(double c) {
    INDArray mask = Kernels.greaterThan(value, c);
    Tensor m = constant(mask);
    return node(Kernels.max(value, c), "clampMin", g -> new Tensor[] {g.mul(m)}, this);
  }

  // ---- shape ----

  public Tensor reshape(long... shape) {
    long[] from = shape();
    return node(Kernels.reshape(value, shape), "reshape", g -> new Tensor[] {g.reshape(from)}, this);
  }

  /**
   * This tensor with its axes reordered: axis i of the result is axis {@code axes[i]} of this one,
   * copied into C order.
   */
  public Tensor permute(int... axes) {
    IllegalArgumentException bad = new IllegalArgumentException("permute needs an order of the " + rank()
        + " axes, got " + Arrays.toString(axes));
    if (axes.length != rank()) {
      throw bad;
    }
    int[] inverse = new int[axes.length];
    boolean[] seen = new boolean[axes.length];
    for (int i = 0; i < axes.length; i++) {
      if (axes[i] < 0 || axes[i] >= axes.length || seen[axes[i]]) {
        throw bad;
      }
      seen[axes[i]] = true;
      inverse[axes[i]] = i;
    }
    return node(Kernels.permute(value, axes), "permute", g -> new Tensor[] {g.permute(inverse)}, this);
  }

  /** Repeats this tensor along size-1 (or missing leading) dimensions to {@code shape}. */
  public Tensor broadcastTo(long... shape) {
    if (Arrays.equals(shape(), shape)) {
      return this;
    }
    long[] from = shape();
    return node(Kernels.broadcastTo(value, shape), "broadcastTo", g -> new Tensor[] {g.sumTo(from)}, this);
  }

  /** Sums down to {@code shape}: the adjoint of {@link #broadcastTo}. */
  public Tensor sumTo(long... shape) {
    if (Arrays.equals(shape(), shape)) {
      return this;
    }
    long[] from = shape();
    return node(Kernels.sumTo(value, shape), "sumTo", g -> new Tensor[] {g.broadcastTo(from)}, this);
  }

  /** Sum of all elements, as a rank-0 tensor. */
  public Tensor sum() {
    long[] from = shape();
    return node(Kernels.sumAll(value), "sum", g -> new Tensor[] {g.broadcastTo(from)}, this);
  }

  /** Sums over the given axes, keeping them with size 1. */
  public Tensor sum(int... axes) {
    long[] from = shape();
    return node(Kernels.sumKeep(value, axes), "sumAxes", g -> new Tensor[] {g.broadcastTo(from)}, this);
  }

  /**
   * Running sums along the last axis: y_j = Σ_{i≤j} x_i, or Σ_{i≥j} x_i when {@code reverse}.
   * Each row is summed on its own, left to right, so a row's result never depends on the other
   * rows of the array (a product with a triangular matrix of ones rounds by the BLAS kernel, which
   * on some CPUs changes with the number of rows). Its gradient is the running sum the other way.
   */
  public Tensor cumsum(boolean reverse) {
    return node(Kernels.cumsum(value, reverse), "cumsum", g -> new Tensor[] {g.cumsum(!reverse)}, this);
  }

  /** Sum of the elementwise product: the inner product of two same-shaped tensors. */
  public Tensor dot(Tensor b) {
    return mul(b).sum();
  }

  // ---- linear algebra ----

  /** Matrix product {@code this @ b}; see {@link #matmul(Tensor, boolean, boolean)}. */
  public Tensor matmul(Tensor b) {
    return matmul(b, false, false);
  }

  /**
   * Matrix product {@code op(this) @ op(b)} where op transposes the last two axes when asked.
   * Operands are both rank 2, or both rank 3 with equal batch size; a rank-3 left operand with
   * a rank-2 right operand (a weight shared across the batch) is folded into one rank-2 product.
   */
  public Tensor matmul(Tensor b, boolean transA, boolean transB) {
    Tensor a = this;
    if (a.rank() == 3 && b.rank() == 2 && !transA) {
      long bs = a.size(0);
      long n = a.size(1);
      Tensor flat = a.reshape(bs * n, a.size(2)).matmul(b, false, transB);
      return flat.reshape(bs, n, flat.size(1));
    }
    INDArray v = Kernels.matmul(a.value, b.value, transA, transB);
    return node(v, "matmul", g -> {
      Tensor ga = null;
      Tensor gb = null;
      if (a.requiresGrad) {
        ga = !transA ? g.matmul(b, false, !transB) : b.matmul(g, transB, true);
      }
      if (b.requiresGrad) {
        gb = !transB ? a.matmul(g, !transA, false) : g.matmul(a, true, transA);
      }
      return new Tensor[] {ga, gb};
    }, a, b);
  }

  /**
   * {@code this @ w + bias} for a layer: this [T, N, in] (or [N, in]), w [in, out] shared or [T,
   * in, out] per task, bias [1, out] with a shared w or [T, 1, out] with a per-task one, broadcast
   * over the rows. Where the BLAS path applies, the bias rows start the output and the product
   * accumulates onto them inside the BLAS call, one pass instead of a product and a broadcast add;
   * it rounds as {@code matmul(w).add(bias)}, and its gradients are theirs.
   */
  public Tensor affine(Tensor w, Tensor bias) {
    Tensor a = this;
    INDArray v = Kernels.affine(a.value, w.value, bias.value);
    if (v == null) {
      return matmul(w).add(bias);
    }
    return node(v, "affine", g -> {
      Tensor ga = a.requiresGrad ? g.matmul(w, false, true) : null;
      Tensor gw = null;
      if (w.requiresGrad) {
        gw = a.rank() == 3 && w.rank() == 2
            ? a.reshape(a.size(0) * a.size(1), a.size(2)).matmul(g.reshape(g.size(0) * g.size(1), g.size(2)), true,
                false)
            : a.matmul(g, true, false);
      }
      return new Tensor[] {ga, gw, bias.requiresGrad ? g.sumTo(bias.shape()) : null};
    }, a, w, bias);
  }

  @Override
  public String toString() {
    return "Tensor[" + op + " " + Arrays.toString(shape()) + (requiresGrad ? " grad" : "") + "]";
  }
}
