package io.maml4j.train;

import com.google.gson.JsonObject;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.meta.MamlConfig;
import io.maml4j.meta.ProMpConfig;
import com.google.gson.JsonPrimitive;
import java.util.List;
import java.util.function.Function;

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
 * @param metaOptimizer the outer step: {@code trpo} (default), {@code adam} or {@code promp}
 * @param metaLr Adam's step size β (default 0.001, the MAML paper's sinusoid value)
 * @param loss the task loss: {@code reinforce} (default, RL), {@code mse} (regression, Adam only) or
 *     {@code cross-entropy} (classification, Adam only)
 * @param innerEstimator the inner policy-gradient surrogate of an RL loss: {@code reinforce}
 *     (default), {@code lvc} or {@code dice} ({@link io.maml4j.meta.InnerEstimators}); under
 *     {@code promp}, {@code reinforce} resolves to {@code lvc}, ProMP's own
 * @param promp ProMP's outer-step settings, used when {@code metaOptimizer} is {@code promp}
 * @param exploration E-MAML's exploration term on MAML-TRPO (Stadie et al. 2018)
 */
public record TrainConfig(int metaBatchSize, int fastBatchSize, int numBatches, double gamma, double gaeLambda,
    MamlConfig maml, String dtype, long seed, String metaOptimizer, double metaLr, String loss,
    String innerEstimator, ProMpConfig promp, boolean exploration) {
  public static final List<String> DTYPES = List.of("float32", "float64");
  public static final List<String> META_OPTIMIZERS = List.of("trpo", "adam", "promp");
  public static final List<String> LOSSES = List.of("reinforce", "mse", "cross-entropy");
  public static final List<String> INNER_ESTIMATORS = io.maml4j.meta.TaskLoss.ESTIMATORS;

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
    if (!INNER_ESTIMATORS.contains(innerEstimator)) {
      throw new IllegalArgumentException("inner_estimator must be one of " + INNER_ESTIMATORS + ", got "
          + innerEstimator);
    }
    if (!loss.equals("reinforce") && !innerEstimator.equals("reinforce")) {
      throw new IllegalArgumentException("inner_estimator \"" + innerEstimator + "\" is a policy-gradient estimator"
          + " and needs loss \"reinforce\", got loss \"" + loss + "\"");
    }
    if (metaOptimizer.equals("promp")) {
      if (!loss.equals("reinforce")) {
        throw new IllegalArgumentException("meta_optimizer \"promp\" needs loss \"reinforce\", got loss \"" + loss
            + "\"");
      }
      if (maml.innerSteps() < 1) {
        throw new IllegalArgumentException("meta_optimizer \"promp\" needs num_steps at least 1, got "
            + maml.innerSteps());
      }
      // REINFORCE and LVC have the same first derivative: asking ProMP for "reinforce" (the
      // default) means its own estimator, and config.json records the one that ran.
      if (innerEstimator.equals("reinforce")) {
        innerEstimator = "lvc";
      }
    }
    if (exploration && !metaOptimizer.equals("trpo")) {
      throw new IllegalArgumentException("exploration (E-MAML) is a term of MAML-TRPO's objective and needs"
          + " meta_optimizer \"trpo\", got \"" + metaOptimizer + "\"");
    }
    java.util.Objects.requireNonNull(promp, "promp");
    if (metaOptimizer.equals("trpo") && !loss.equals("reinforce")) {
      throw new IllegalArgumentException("meta_optimizer \"trpo\" needs loss \"reinforce\" (its surrogate and KL"
          + " need a stochastic policy), got loss \"" + loss + "\"; use \"meta_optimizer\": \"adam\"");
    }
  }

  /** The defaults: pytorch-maml-rl's 2D-navigation config, MAML-TRPO on the REINFORCE loss. */
  public static TrainConfig defaults() {
    return new TrainConfig(20, 20, 500, 0.99, 1.0, MamlConfig.defaults(), "float32", 1, "trpo", 0.001, "reinforce",
        "reinforce", ProMpConfig.defaults(), false);
  }

  /** This config with another outer step and loss. */
  public TrainConfig withMetaOptimizer(String metaOptimizer, double metaLr, String loss) {
    return toBuilder().metaOptimizer(metaOptimizer).metaLr(metaLr).loss(loss).build();
  }

  /** This config running {@code numBatches} meta-iterations from {@code seed}. */
  public TrainConfig withRun(int numBatches, long seed) {
    return toBuilder().numBatches(numBatches).seed(seed).build();
  }

  /** A builder starting from this config: what is not set keeps this config's value. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** The defaults with an environment spec's {@code "train"} object, if any, merged over them. */
  public static TrainConfig forSpec(Fields spec) {
    return spec.has("train") ? defaults().merge(spec.object("train")) : defaults();
  }

  /**
   * This config with the fields present in {@code f} overridden; unknown fields are errors.
   *
   * @throws ConfigException one line naming {@code f}'s source and the field
   */
  public TrainConfig merge(Fields f) {
    Builder b = toBuilder();
    try {
      for (Field field : FIELDS) {
        field.read().read(f, field.name(), b);
      }
      f.finish();
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(f.source() + ": " + e.getMessage(), e);
    }
  }

  /** The JSON names of the fields, in the order {@link #toJson()} writes them. */
  public static List<String> fieldNames() {
    return FIELDS.stream().map(Field::name).toList();
  }

  /** Every field, as a {@code "train"} section or {@code --config} file spells it. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    for (Field field : FIELDS) {
      Object v = field.value().apply(this);
      o.add(field.name(), v instanceof Number n ? new JsonPrimitive(n)
          : v instanceof Boolean b ? new JsonPrimitive(b) : new JsonPrimitive((String) v));
    }
    return o;
  }

  /** Reads one field of a JSON section into a builder, with the section's range checks. */
  @FunctionalInterface
  private interface Reader {
    void read(Fields f, String name, Builder b);
  }

  /** One JSON field: its name (as in pytorch-maml-rl), its value in a config, how to read it. */
  private record Field(String name, Function<TrainConfig, Object> value, Reader read) {}

  /** The one list of the fields' JSON names: reading, writing and overriding all go through it. */
  private static final List<Field> FIELDS = List.of(
      new Field("meta_batch_size", c -> c.metaBatchSize,
          (f, n, b) -> b.metaBatchSize = f.integer(n, b.metaBatchSize, 1, 1 << 20)),
      new Field("fast_batch_size", c -> c.fastBatchSize,
          (f, n, b) -> b.fastBatchSize = f.integer(n, b.fastBatchSize, 1, 1 << 20)),
      new Field("num_batches", c -> c.numBatches,
          (f, n, b) -> b.numBatches = f.integer(n, b.numBatches, 0, Integer.MAX_VALUE)),
      new Field("gamma", c -> c.gamma, (f, n, b) -> b.gamma = f.number(n, b.gamma, 0, 1)),
      new Field("gae_lambda", c -> c.gaeLambda, (f, n, b) -> b.gaeLambda = f.number(n, b.gaeLambda, 0, 1)),
      new Field("fast_lr", c -> c.maml.fastLr(), (f, n, b) -> b.fastLr = f.positive(n, b.fastLr)),
      new Field("num_steps", c -> c.maml.innerSteps(), (f, n, b) -> b.innerSteps = f.integer(n, b.innerSteps, 0, 1000)),
      new Field("first_order", c -> c.maml.firstOrder(), (f, n, b) -> b.firstOrder = f.bool(n, b.firstOrder)),
      new Field("max_kl", c -> c.maml.maxKl(), (f, n, b) -> b.maxKl = f.positive(n, b.maxKl)),
      new Field("cg_iters", c -> c.maml.cgIters(), (f, n, b) -> b.cgIters = f.integer(n, b.cgIters, 1, 10_000)),
      new Field("cg_damping", c -> c.maml.cgDamping(),
          (f, n, b) -> b.cgDamping = f.number(n, b.cgDamping, 0, Double.MAX_VALUE)),
      new Field("ls_max_steps", c -> c.maml.lsMaxSteps(),
          (f, n, b) -> b.lsMaxSteps = f.integer(n, b.lsMaxSteps, 1, 10_000)),
      new Field("ls_backtrack_ratio", c -> c.maml.lsBacktrackRatio(),
          (f, n, b) -> b.lsBacktrackRatio = f.number(n, b.lsBacktrackRatio, 1e-9, 1 - 1e-9)),
      new Field("dtype", c -> c.dtype, (f, n, b) -> b.dtype = f.choice(n, b.dtype, DTYPES)),
      new Field("seed", c -> c.seed, (f, n, b) -> b.seed = f.longValue(n, b.seed)),
      new Field("meta_optimizer", c -> c.metaOptimizer,
          (f, n, b) -> b.metaOptimizer = f.choice(n, b.metaOptimizer, META_OPTIMIZERS)),
      new Field("meta_lr", c -> c.metaLr, (f, n, b) -> b.metaLr = f.positive(n, b.metaLr)),
      new Field("loss", c -> c.loss, (f, n, b) -> b.loss = f.choice(n, b.loss, LOSSES)),
      new Field("inner_estimator", c -> c.innerEstimator,
          (f, n, b) -> b.innerEstimator = f.choice(n, b.innerEstimator, INNER_ESTIMATORS)),
      new Field("promp_steps", c -> c.promp.steps(), (f, n, b) -> b.prompSteps = f.integer(n, b.prompSteps, 1, 10_000)),
      new Field("clip_eps", c -> c.promp.clipEps(), (f, n, b) -> b.clipEps = f.number(n, b.clipEps, 0, 1)),
      new Field("kl_coeff", c -> c.promp.klCoeff(),
          (f, n, b) -> b.klCoeff = f.number(n, b.klCoeff, 0, Double.MAX_VALUE)),
      new Field("kl_target", c -> c.promp.klTarget(),
          (f, n, b) -> b.klTarget = f.number(n, b.klTarget, 0, Double.MAX_VALUE)),
      new Field("exploration", c -> c.exploration, (f, n, b) -> b.exploration = f.bool(n, b.exploration)));

  /**
   * Sets some fields of a config and keeps the others; {@link #build()} validates the result.
   * Mutable, for one use; the way to change a config outside this package.
   */
  public static final class Builder {
    private int metaBatchSize;
    private int fastBatchSize;
    private int numBatches;
    private double gamma;
    private double gaeLambda;
    private double fastLr;
    private int innerSteps;
    private boolean firstOrder;
    private double maxKl;
    private int cgIters;
    private double cgDamping;
    private int lsMaxSteps;
    private double lsBacktrackRatio;
    private String dtype;
    private long seed;
    private String metaOptimizer;
    private double metaLr;
    private String loss;
    private String innerEstimator;
    private int prompSteps;
    private double clipEps;
    private double klCoeff;
    private double klTarget;
    private boolean exploration;

    private Builder(TrainConfig c) {
      metaBatchSize = c.metaBatchSize;
      fastBatchSize = c.fastBatchSize;
      numBatches = c.numBatches;
      gamma = c.gamma;
      gaeLambda = c.gaeLambda;
      maml(c.maml);
      dtype = c.dtype;
      seed = c.seed;
      metaOptimizer = c.metaOptimizer;
      metaLr = c.metaLr;
      loss = c.loss;
      innerEstimator = c.innerEstimator;
      promp(c.promp);
      exploration = c.exploration;
    }

    public Builder metaBatchSize(int v) {
      metaBatchSize = v;
      return this;
    }

    public Builder fastBatchSize(int v) {
      fastBatchSize = v;
      return this;
    }

    public Builder numBatches(int v) {
      numBatches = v;
      return this;
    }

    public Builder gamma(double v) {
      gamma = v;
      return this;
    }

    public Builder gaeLambda(double v) {
      gaeLambda = v;
      return this;
    }

    /** Every MAML-TRPO hyperparameter at once. */
    public Builder maml(MamlConfig m) {
      fastLr = m.fastLr();
      innerSteps = m.innerSteps();
      firstOrder = m.firstOrder();
      maxKl = m.maxKl();
      cgIters = m.cgIters();
      cgDamping = m.cgDamping();
      lsMaxSteps = m.lsMaxSteps();
      lsBacktrackRatio = m.lsBacktrackRatio();
      return this;
    }

    public Builder fastLr(double v) {
      fastLr = v;
      return this;
    }

    public Builder innerSteps(int v) {
      innerSteps = v;
      return this;
    }

    public Builder firstOrder(boolean v) {
      firstOrder = v;
      return this;
    }

    public Builder dtype(String v) {
      dtype = v;
      return this;
    }

    public Builder seed(long v) {
      seed = v;
      return this;
    }

    public Builder metaOptimizer(String v) {
      metaOptimizer = v;
      return this;
    }

    public Builder metaLr(double v) {
      metaLr = v;
      return this;
    }

    public Builder loss(String v) {
      loss = v;
      return this;
    }

    public Builder innerEstimator(String v) {
      innerEstimator = v;
      return this;
    }

    /** Every ProMP setting at once. */
    public Builder promp(ProMpConfig p) {
      prompSteps = p.steps();
      clipEps = p.clipEps();
      klCoeff = p.klCoeff();
      klTarget = p.klTarget();
      return this;
    }

    public Builder exploration(boolean v) {
      exploration = v;
      return this;
    }

    /**
     * The config.
     *
     * @throws IllegalArgumentException naming the first field out of range
     */
    public TrainConfig build() {
      return new TrainConfig(metaBatchSize, fastBatchSize, numBatches, gamma, gaeLambda,
          new MamlConfig(fastLr, innerSteps, firstOrder, maxKl, cgIters, cgDamping, lsMaxSteps, lsBacktrackRatio),
          dtype, seed, metaOptimizer, metaLr, loss, innerEstimator, new ProMpConfig(prompSteps, clipEps, klCoeff, klTarget),
          exploration);
    }
  }

  public org.nd4j.linalg.api.buffer.DataType dataType() {
    return dtype.equals("float64") ? org.nd4j.linalg.api.buffer.DataType.DOUBLE
        : org.nd4j.linalg.api.buffer.DataType.FLOAT;
  }
}
