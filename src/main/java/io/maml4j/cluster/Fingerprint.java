package io.maml4j.cluster;

import io.maml4j.train.Run;
import java.util.SplittableRandom;

/**
 * A number that two processes compute alike only when a run builds the same environment spaces
 * and the same policy there: a hash of the spaces and of the initial parameters drawn from the
 * run's seed. A member whose env registry or policy code differs from the driver's is refused
 * at the start of a run instead of computing other numbers.
 */
final class Fingerprint {
  private Fingerprint() {}

  static long of(Run run) {
    long h = 1125899906842597L;
    h = 31 * h + run.distribution().observationSpace().toString().hashCode();
    h = 31 * h + run.distribution().actionSpace().toString().hashCode();
    h = 31 * h + run.config().policy().toString().hashCode();
    double[] init;
    try (io.maml4j.autodiff.Arena a = io.maml4j.autodiff.Arena.open()) {
      init = run.policy().init(new SplittableRandom(run.train().seed()), run.train().dataType()).flat();
    }
    for (double d : init) {
      h = 31 * h + Double.doubleToLongBits(d);
    }
    return h ^ init.length;
  }
}
