package io.maml4j.env;

import java.util.Arrays;

/**
 * A box in R^n with per-coordinate bounds, possibly infinite; elements are stored flat in
 * row-major order of {@code shape}.
 */
public record Box(int[] shape, double[] low, double[] high) implements Space {
  /** Validates that bounds match the shape and that low <= high. */
  public Box {
    shape = shape.clone();
    low = low.clone();
    high = high.clone();
    int n = 1;
    for (int s : shape) {
      if (s <= 0) {
        throw new IllegalArgumentException("Box shape must be positive, got " + Arrays.toString(shape));
      }
      n *= s;
    }
    if (low.length != n || high.length != n) {
      throw new IllegalArgumentException("Box bounds must have " + n + " entries for shape "
          + Arrays.toString(shape) + ", got " + low.length + " and " + high.length);
    }
    for (int i = 0; i < n; i++) {
      if (Double.isNaN(low[i]) || Double.isNaN(high[i]) || low[i] > high[i]) {
        throw new IllegalArgumentException("Box bound " + i + " must satisfy low <= high, got "
            + low[i] + " and " + high[i]);
      }
    }
  }

  /** A flat box with the same bounds on every coordinate. */
  public static Box of(int n, double low, double high) {
    double[] lo = new double[n];
    double[] hi = new double[n];
    Arrays.fill(lo, low);
    Arrays.fill(hi, high);
    return new Box(new int[] {n}, lo, hi);
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public double[] low() {
    return low.clone();
  }

  @Override
  public double[] high() {
    return high.clone();
  }

  @Override
  public int flatSize() {
    return low.length;
  }

  @Override
  public boolean contains(double[] x) {
    if (x.length != low.length) {
      return false;
    }
    for (int i = 0; i < x.length; i++) {
      if (!(x[i] >= low[i] && x[i] <= high[i])) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Box b && Arrays.equals(shape, b.shape) && Arrays.equals(low, b.low)
        && Arrays.equals(high, b.high);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(shape) * 31 + Arrays.hashCode(low);
  }

  @Override
  public String toString() {
    return "Box" + Arrays.toString(shape);
  }
}
