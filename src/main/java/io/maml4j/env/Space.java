package io.maml4j.env;

/** An observation or action space: continuous {@link Box} or finite {@link Discrete}. */
public sealed interface Space permits Box, Discrete {
  /** Number of scalars a flat element of this space has (1 for a discrete index). */
  int flatSize();

  /** Whether {@code x} (flattened) is a member of this space. */
  boolean contains(double[] x);
}
