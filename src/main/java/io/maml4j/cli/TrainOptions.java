package io.maml4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import io.maml4j.config.Fields;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The training options of {@code train}, {@code sinusoid} and {@code bandit}: a config file and
 * single hyperparameters, each overriding the spec's {@code "train"} section. Each option is
 * applied as a one-field config named after the option, so it is checked like a config file.
 */
public final class TrainOptions {
  @Option(names = "--config", paramLabel = "FILE", description = "Training config JSON overriding the spec's \"train\" section.")
  Path configFile;

  @Option(names = "--iterations", description = "Meta-iterations (default: the spec's num_batches, else 500).")
  Integer iterations;

  @Option(names = "--seed", description = "Random seed (default: the spec's, else 1).")
  Long seed;

  @Option(names = "--first-order", description = "First-order MAML: drop the second-order term.")
  Boolean firstOrder;

  @Option(names = "--fast-lr", description = "Inner step size α.")
  Double fastLr;

  @Option(names = "--meta-batch-size", description = "Tasks per meta-batch.")
  Integer metaBatchSize;

  @Option(names = "--fast-batch-size", description = "Episodes (or examples) per task.")
  Integer fastBatchSize;

  @Option(names = "--num-steps", description = "Inner gradient steps.")
  Integer numSteps;

  @Option(names = "--meta-optimizer", paramLabel = "NAME", description = "Outer step: trpo, adam or promp.")
  String metaOptimizer;

  @Option(names = "--inner-estimator", paramLabel = "NAME", description = "Inner policy-gradient estimator: reinforce,"
      + " lvc or dice.")
  String innerEstimator;

  @Option(names = "--exploration", description = "E-MAML's exploration term (meta_optimizer trpo).")
  Boolean exploration;

  @Mixin
  DtypeOption dtype = new DtypeOption();

  /** True when no option of this group was given. */
  boolean none() {
    return configFile == null && given().isEmpty();
  }

  /**
   * The single-value options given, in declaration order: option (with its value, as the user
   * wrote it) to the one-field train section it sets.
   */
  Map<String, Fields> given() {
    Map<String, Fields> m = new LinkedHashMap<>();
    put(m, "--iterations", "num_batches", iterations);
    put(m, "--seed", "seed", seed);
    put(m, "--first-order", "first_order", firstOrder);
    put(m, "--fast-lr", "fast_lr", fastLr);
    put(m, "--meta-batch-size", "meta_batch_size", metaBatchSize);
    put(m, "--fast-batch-size", "fast_batch_size", fastBatchSize);
    put(m, "--num-steps", "num_steps", numSteps);
    put(m, "--meta-optimizer", "meta_optimizer", metaOptimizer);
    put(m, "--inner-estimator", "inner_estimator", innerEstimator);
    put(m, "--exploration", "exploration", exploration);
    put(m, "--dtype", "dtype", dtype.dtype);
    return m;
  }

  private static void put(Map<String, Fields> m, String option, String field, Object value) {
    if (value == null) {
      return;
    }
    JsonObject o = new JsonObject();
    o.add(field, value instanceof Number n ? new JsonPrimitive(n)
        : value instanceof Boolean b ? new JsonPrimitive(b) : new JsonPrimitive(value.toString()));
    String label = value instanceof Boolean ? option : option + " " + value;
    m.put(label, new Fields(label, o));
  }

  /** Everything given, in the order it applies: the config file, then each option. */
  List<Fields> overrides() {
    List<Fields> out = new ArrayList<>();
    if (configFile != null) {
      out.add(Fields.read(configFile));
    }
    out.addAll(given().values());
    return out;
  }
}
