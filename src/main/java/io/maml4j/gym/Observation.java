package io.maml4j.gym;

import java.util.Arrays;

/**
 * An observation as a remote environment sent it: its scalars flattened in row-major order, and
 * the shape of the nested lists they came in ({@code []} for a scalar, such as a discrete state).
 */
public record Observation(double[] values, int[] shape) {
  /** Checks that the shape accounts for every value. */
  public Observation {
    values = values.clone();
    shape = shape.clone();
    long n = 1;
    for (int s : shape) {
      if (s < 0) {
        throw new IllegalArgumentException("observation shape must be non-negative, got " + Arrays.toString(shape));
      }
      n *= s;
    }
    if (n != values.length) {
      throw new IllegalArgumentException("observation shape " + Arrays.toString(shape) + " holds " + n
          + " values, got " + values.length);
    }
  }

  @Override
  public double[] values() {
    return values.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Observation x && Arrays.equals(values, x.values) && Arrays.equals(shape, x.shape);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(values) * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "Observation" + Arrays.toString(shape) + Arrays.toString(values);
  }
}
