package io.maml4j.locomotion;

import com.google.gson.JsonObject;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The settings of a locomotion spec ({@code environments/half-cheetah-vel.json} and the others),
 * field for field.
 *
 * @param horizon episode length H in environment steps ({@code "horizon"}; default 100 as in
 *     pytorch-maml-rl's configs, cbfinn/maml_rl used 200)
 * @param low lower bound of sampled goals ({@code "velocity_low"} or {@code "goal_low"}; unused by
 *     the direction families)
 * @param high upper bound of sampled goals ({@code "velocity_high"} or {@code "goal_high"})
 * @param actionScale policy actions are clipped to [-scale, scale] and mapped linearly onto the
 *     actuators' control range ({@code "action_scale"}; default 10, pytorch-maml-rl's {@code
 *     normalization_scale}); 1 applies actions as controls
 * @param frameSkip MuJoCo steps per environment step ({@code "frame_skip"}; default 5 as in gym)
 * @param threads threads that step a vector environment ({@code "threads"}; default 2); results
 *     do not depend on it
 * @param model the MJCF file ({@code "model"}, relative to the spec's folder; default {@code
 *     mujoco/half_cheetah.xml} or {@code mujoco/ant.xml})
 */
public record LocomotionConfig(int horizon, double low, double high, double actionScale, int frameSkip,
    int threads, Path model) {
  /** Upper limit on {@code threads}. */
  public static final int MAX_THREADS = 256;

  public LocomotionConfig {
    if (horizon < 1) {
      throw new IllegalArgumentException("horizon must be at least 1, got " + horizon);
    }
    if (!(Double.isFinite(low) && Double.isFinite(high) && low <= high)) {
      throw new IllegalArgumentException("goal bounds must be finite with low <= high, got " + low + " and " + high);
    }
    if (!(actionScale > 0 && Double.isFinite(actionScale))) {
      throw new IllegalArgumentException("action_scale must be greater than 0, got " + actionScale);
    }
    if (frameSkip < 1) {
      throw new IllegalArgumentException("frame_skip must be at least 1, got " + frameSkip);
    }
    if (threads < 1 || threads > MAX_THREADS) {
      throw new IllegalArgumentException("threads must be in [1, " + MAX_THREADS + "], got " + threads);
    }
    if (model == null) {
      throw new IllegalArgumentException("model must be given");
    }
  }

  /** The defaults of a family, with the bundled model under {@code environments/mujoco/}. */
  public static LocomotionConfig defaults(Locomotion kind) {
    return new LocomotionConfig(100, kind.defaultLow(), kind.defaultHigh(), 10.0, 5, 2,
        Path.of("environments", "mujoco", kind.robot().modelFile()));
  }

  /** This config with another horizon. */
  public LocomotionConfig withHorizon(int h) {
    return new LocomotionConfig(h, low, high, actionScale, frameSkip, threads, model);
  }

  /** This config with another thread count. */
  public LocomotionConfig withThreads(int n) {
    return new LocomotionConfig(horizon, low, high, actionScale, frameSkip, n, model);
  }

  /**
   * Reads a spec's fields (all but {@code "env"} and {@code "train"}) and rejects unknown ones.
   * A relative {@code "model"} resolves against the folder of the spec file (or the working
   * directory when the fields do not come from a file).
   */
  public static LocomotionConfig read(Locomotion kind, Fields f) {
    LocomotionConfig d = defaults(kind);
    String lowField = lowField(kind);
    String highField = highField(kind);
    int horizon = f.integer("horizon", d.horizon, 1, 1_000_000);
    double low = lowField == null ? d.low : f.number(lowField, d.low);
    double high = highField == null ? d.high : f.number(highField, d.high);
    double scale = f.positive("action_scale", d.actionScale);
    int frameSkip = f.integer("frame_skip", d.frameSkip, 1, 1000);
    int threads = f.integer("threads", d.threads, 1, MAX_THREADS);
    Path folder = specFolder(f);
    Path model = f.has("model") ? (folder == null ? Path.of(f.string("model")) : folder.resolve(f.string("model")))
        : folder == null ? d.model : folder.resolve("mujoco").resolve(kind.robot().modelFile());
    f.finish();
    if (!(low <= high)) {
      throw ConfigException.field(f.source(), highField, "a number at least " + lowField + " (" + low + ")", high);
    }
    try {
      return new LocomotionConfig(horizon, low, high, scale, frameSkip, threads, model);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(f.source() + ": " + e.getMessage(), e);
    }
  }

  /** The spec fields of this config for a family, as in its JSON file (model path as given). */
  public JsonObject toJson(Locomotion kind) {
    JsonObject o = new JsonObject();
    o.addProperty("env", kind.specName());
    o.addProperty("horizon", horizon);
    if (lowField(kind) != null) {
      o.addProperty(lowField(kind), low);
      o.addProperty(highField(kind), high);
    }
    o.addProperty("action_scale", actionScale);
    o.addProperty("frame_skip", frameSkip);
    o.addProperty("threads", threads);
    o.addProperty("model", model.toString());
    return o;
  }

  /** Name of the spec field of the lower goal bound, or null for the direction families. */
  static String lowField(Locomotion kind) {
    return switch (kind.goal()) {
      case VELOCITY -> "velocity_low";
      case POSITION -> "goal_low";
      case DIRECTION -> null;
    };
  }

  static String highField(Locomotion kind) {
    return switch (kind.goal()) {
      case VELOCITY -> "velocity_high";
      case POSITION -> "goal_high";
      case DIRECTION -> null;
    };
  }

  /**
   * The folder a spec's relative paths resolve against: the spec file's own folder, or null when
   * the source does not name a file (paths then resolve against the working directory).
   */
  private static Path specFolder(Fields f) {
    try {
      Path source = Path.of(f.source());
      if (Files.isRegularFile(source)) {
        Path parent = source.toAbsolutePath().getParent();
        return parent != null ? parent : Path.of(".");
      }
    } catch (java.nio.file.InvalidPathException e) {
      // Not a file name (e.g. a description of where the JSON came from).
    }
    return null;
  }
}
