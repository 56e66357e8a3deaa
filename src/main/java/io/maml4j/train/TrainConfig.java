package io.maml4j.train;

import com.google.gson.JsonObject;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.meta.MamlConfig;
import java.util.List;

/**
 * Training hyperparameters, named as in pytorch-maml-rl's configs and defaulting to its 2D
 * navigation values.
 *
 * @param metaBatchSize tasks per meta-batch (T)
 * @param fastBatchSize episodes per task (K)
 * @param numBatches meta-iterations
 * @param gamma discount
 * @param gaeLambda GAE λ
 * @param dtype {@code float32} or {@code float64}
 * @param seed base seed; iteration i draws from a stream derived from (seed, i)
 * @param metaOptimizer the outer step: {@code trpo} (default) or {@code adam}
 * @param metaLr Adam's step size β (default 0.001, the MAML paper's sinusoid value)
 * @param loss the task loss: {@code reinforce} (default, RL) or {@code mse} (regression, Adam only)
 */
public record TrainConfig(int metaBatchSize, int fastBatchSize, int numBatches, double gamma, double gaeLambda,
    MamlConfig maml, String dtype, long seed, String metaOptimizer, double metaLr, String loss) {
  public static final List<String> DTYPES = List.of("float32", "float64");
  public static final List<String> META_OPTIMIZERS = List.of("trpo", "adam");
  public static final List<String> LOSSES = List.of("reinforce", "mse");

  public TrainConfig {
    if (metaBatchSize < 1) {
      throw new IllegalArgumentException("meta_batch_size must be at least 1, got " + metaBatchSize);
    }
    if (fastBatchSize < 1) {
      throw new IllegalArgumentException("fast_batch_size must be at least 1, got " + fastBatchSize);
    }
    if (numBatches < 0) {
      throw new IllegalArgumentException("num_batches must be at least 0, got " + numBatches);
    }
    if (!(gamma > 0 && gamma <= 1)) {
      throw new IllegalArgumentException("gamma must be in (0, 1], got " + gamma);
    }
    if (!(gaeLambda >= 0 && gaeLambda <= 1)) {
      throw new IllegalArgumentException("gae_lambda must be in [0, 1], got " + gaeLambda);
    }
    if (!DTYPES.contains(dtype)) {
      throw new IllegalArgumentException("dtype must be one of " + DTYPES + ", got " + dtype);
    }
    if (!META_OPTIMIZERS.contains(metaOptimizer)) {
      throw new IllegalArgumentException("meta_optimizer must be one of " + META_OPTIMIZERS + ", got " + metaOptimizer);
    }
    if (!(metaLr > 0 && Double.isFinite(metaLr))) {
      throw new IllegalArgumentException("meta_lr must be greater than 0, got " + metaLr);
    }
    if (!LOSSES.contains(loss)) {
      throw new IllegalArgumentException("loss must be one of " + LOSSES + ", got " + loss);
    }
    if (metaOptimizer.equals("trpo") && !loss.equals("reinforce")) {
      throw new IllegalArgumentException("meta_optimizer \"trpo\" needs loss \"reinforce\" (its surrogate and KL"
          + " need a stochastic policy), got loss \"" + loss + "\"; use \"meta_optimizer\": \"adam\"");
    }
  }

  /** A config with the default outer step: TRPO on the REINFORCE loss. */
  public TrainConfig(int metaBatchSize, int fastBatchSize, int numBatches, double gamma, double gaeLambda,
      MamlConfig maml, String dtype, long seed) {
    this(metaBatchSize, fastBatchSize, numBatches, gamma, gaeLambda, maml, dtype, seed, "trpo", 0.001, "reinforce");
  }

  /** This config with another outer step and loss. */
  public TrainConfig withMetaOptimizer(String metaOptimizer, double metaLr, String loss) {
    return new TrainConfig(metaBatchSize, fastBatchSize, numBatches, gamma, gaeLambda, maml, dtype, seed,
        metaOptimizer, metaLr, loss);
  }

  /** This config running {@code numBatches} meta-iterations from {@code seed}. */
  public TrainConfig withRun(int numBatches, long seed) {
    return new TrainConfig(metaBatchSize, fastBatchSize, numBatches, gamma, gaeLambda, maml, dtype, seed,
        metaOptimizer, metaLr, loss);
  }

  /** The defaults with an environment spec's {@code "train"} object, if any, merged over them. */
  public static TrainConfig forSpec(Fields spec) {
    return spec.has("train") ? defaults().merge(spec.object("train")) : defaults();
  }

  public static TrainConfig defaults() {
    return new TrainConfig(20, 20, 500, 0.99, 1.0, MamlConfig.defaults(), "float32", 1);
  }

  /** This config with the fields present in {@code f} overridden; unknown fields are errors. */
  public TrainConfig merge(Fields f) {
    MamlConfig m = maml;
    try {
      TrainConfig out = new TrainConfig(
          f.integer("meta_batch_size", metaBatchSize, 1, 1 << 20),
          f.integer("fast_batch_size", fastBatchSize, 1, 1 << 20),
          f.integer("num_batches", numBatches, 0, Integer.MAX_VALUE),
          f.number("gamma", gamma, 0, 1),
          f.number("gae_lambda", gaeLambda, 0, 1),
          new MamlConfig(
              f.positive("fast_lr", m.fastLr()),
              f.integer("num_steps", m.innerSteps(), 0, 1000),
              f.bool("first_order", m.firstOrder()),
              f.positive("max_kl", m.maxKl()),
              f.integer("cg_iters", m.cgIters(), 1, 10_000),
              f.number("cg_damping", m.cgDamping(), 0, Double.MAX_VALUE),
              f.integer("ls_max_steps", m.lsMaxSteps(), 1, 10_000),
              f.number("ls_backtrack_ratio", m.lsBacktrackRatio(), 1e-9, 1 - 1e-9)),
          f.choice("dtype", dtype, DTYPES),
          f.longValue("seed", seed),
          f.choice("meta_optimizer", metaOptimizer, META_OPTIMIZERS),
          f.positive("meta_lr", metaLr),
          f.choice("loss", loss, LOSSES));
      f.finish();
      return out;
    } catch (IllegalArgumentException e) {
      throw new ConfigException(f.source() + ": " + e.getMessage(), e);
    }
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("meta_batch_size", metaBatchSize);
    o.addProperty("fast_batch_size", fastBatchSize);
    o.addProperty("num_batches", numBatches);
    o.addProperty("gamma", gamma);
    o.addProperty("gae_lambda", gaeLambda);
    o.addProperty("fast_lr", maml.fastLr());
    o.addProperty("num_steps", maml.innerSteps());
    o.addProperty("first_order", maml.firstOrder());
    o.addProperty("max_kl", maml.maxKl());
    o.addProperty("cg_iters", maml.cgIters());
    o.addProperty("cg_damping", maml.cgDamping());
    o.addProperty("ls_max_steps", maml.lsMaxSteps());
    o.addProperty("ls_backtrack_ratio", maml.lsBacktrackRatio());
    o.addProperty("dtype", dtype);
    o.addProperty("seed", seed);
    o.addProperty("meta_optimizer", metaOptimizer);
    o.addProperty("meta_lr", metaLr);
    o.addProperty("loss", loss);
    return o;
  }

  public org.nd4j.linalg.api.buffer.DataType dataType() {
    return dtype.equals("float64") ? org.nd4j.linalg.api.buffer.DataType.DOUBLE
        : org.nd4j.linalg.api.buffer.DataType.FLOAT;
  }
}
