package io.maml4j.envs;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds task distributions from environment specs ({@code environments/*.json}). A spec names
 * its environment in {@code "env"}; the remaining fields belong to that environment's factory,
 * except {@code "train"}, which holds training defaults for it (read by the trainer).
 *
 * <p>New environments plug in with {@link #register(String, Factory)}.
 */
public final class EnvRegistry {
  /** Makes a task distribution from the spec's fields; must call {@link Fields#finish()}. */
  @FunctionalInterface
  public interface Factory {
    TaskDistribution create(Fields spec);
  }

  /**
   * A user environment discovered on the classpath through {@link java.util.ServiceLoader}: list
   * the implementing class in {@code META-INF/services/io.maml4j.envs.EnvRegistry$Provider} and
   * put the jar on {@code MAML4J_CLASSPATH}; its specs then work with every command.
   */
  public interface Provider extends Factory {
    /** The spec's {@code "env"} name. */
    String name();
  }

  private static final Map<String, Factory> FACTORIES = new ConcurrentHashMap<>();

  static {
    register("navigation-2d", f -> {
      double low = f.number("goal_low", -0.5);
      double high = f.number("goal_high", 0.5);
      int horizon = f.integer("horizon", 100, 1, 1_000_000);
      f.finish();
      if (!(low < high)) {
        throw ConfigException.field(f.source(), "goal_high", "a number greater than goal_low (" + low + ")", high);
      }
      return new Navigation2D(low, high, horizon);
    });
    register("oracle", Oracle::fromSpec);
    SupervisedAndDiscrete.register();
    io.maml4j.gym.GymHttp.register();
    io.maml4j.locomotion.Locomotion.register();
    for (Provider p : java.util.ServiceLoader.load(Provider.class)) {
      register(p.name(), p);
    }
  }

  private EnvRegistry() {}

  /** Registers (or replaces) the factory for an environment name. */
  public static void register(String name, Factory factory) {
    FACTORIES.put(name, factory);
  }

  /** Names of all registered environments, sorted. */
  public static java.util.Set<String> names() {
    return new TreeMap<>(FACTORIES).keySet();
  }

  /** Reads a spec file and builds its task distribution. */
  public static TaskDistribution load(Path file) {
    return create(Fields.read(file));
  }

  /** Builds a task distribution from parsed spec fields (the {@code train} field is skipped). */
  public static TaskDistribution create(Fields spec) {
    String name = spec.string("env");
    Factory f = FACTORIES.get(name);
    if (f == null) {
      throw ConfigException.field(spec.source(), "env", "one of " + names(), "\"" + name + "\"");
    }
    spec.has("train");
    spec.has("policy"); // an optional default policy spec, read by the train command
    try {
      return f.create(spec);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(spec.source() + ": " + e.getMessage(), e);
    }
  }
}
