package io.maml4j.cli;

import io.maml4j.train.TrainConfig;
import org.nd4j.linalg.api.buffer.DataType;
import picocli.CommandLine.Option;

/** The {@code --dtype} option: the floating-point type of the parameters and the arithmetic. */
public final class DtypeOption {
  @Option(names = "--dtype", paramLabel = "float32|float64",
      description = "Floating-point type (default: the run's or the spec's, else float32).")
  String dtype;

  /**
   * The type given, or {@code fallback}.
   *
   * @throws IllegalArgumentException for anything but float32 or float64
   */
  String orElse(String fallback) {
    String d = dtype != null ? dtype : fallback;
    if (!TrainConfig.DTYPES.contains(d)) {
      throw new IllegalArgumentException("--dtype must be one of " + TrainConfig.DTYPES + ", got " + d);
    }
    return d;
  }

  DataType dataType(String fallback) {
    return orElse(fallback).equals("float64") ? DataType.DOUBLE : DataType.FLOAT;
  }
}
