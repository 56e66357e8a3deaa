package io.maml4j.env;

/** The finite set {0, 1, ..., n-1}. */
public record Discrete(int n) implements Space {
  public Discrete {
    if (n <= 0) {
      throw new IllegalArgumentException("Discrete n must be greater than 0, got " + n);
    }
  }

  @Override
  public int flatSize() {
    return 1;
  }

  @Override
  public boolean contains(double[] x) {
    return x.length == 1 && x[0] == Math.rint(x[0]) && x[0] >= 0 && x[0] < n;
  }
}
