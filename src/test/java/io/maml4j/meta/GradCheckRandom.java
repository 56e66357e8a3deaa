package io.maml4j.meta;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

final class GradCheckRandom {
  private GradCheckRandom() {}

  static INDArray uniform(SplittableRandom rng, long[] shape, double scale) {
    INDArray a = Nd4j.create(DataType.DOUBLE, shape);
    for (long i = 0; i < a.length(); i++) {
      a.putScalar(i, (2 * rng.nextDouble() - 1) * scale);
    }
    return a;
  }
}
