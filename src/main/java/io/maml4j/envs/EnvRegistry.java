package io.maml4j.envs;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeSet;

/**
 * Builds task distributions from environment specs ({@code environments/*.json}). A spec names
 * its environment in {@code "env"}; the remaining fields belong to that environment's factory,
 * except {@code "train"} and {@code "policy"}, which hold training defaults for it (read by the
 * trainer).
 *
 * <p>A registry is an immutable value. {@link #standard()} holds every {@link Provider} found by
 * {@link ServiceLoader}: the built-in environments (listed in maml4j's own {@code
 * META-INF/services/io.maml4j.envs.EnvRegistry$Provider}) and any plug-in jar on the class path,
 * found the same way. A name offered twice is an error, never a silent replacement.
 */
public final class EnvRegistry {
  /** Makes a task distribution from the spec's fields; must call {@link Fields#finish()}. */
  @FunctionalInterface
  public interface Factory {
    TaskDistribution create(Fields spec);
  }

  /**
   * A set of environments discovered through {@link ServiceLoader}: list the implementing class
   * (public, with a public no-argument constructor) in {@code
   * META-INF/services/io.maml4j.envs.EnvRegistry$Provider} of its jar and put the jar on {@code
   * MAML4J_CLASSPATH}; its specs then work with every command.
   */
  public interface Provider {
    /** The environments offered: spec {@code "env"} name to factory. */
    Map<String, Factory> environments();
  }

  private static final String HOW_TO_ADD = "an environment of a plug-in jar on MAML4J_CLASSPATH (its "
      + "EnvRegistry.Provider listed in META-INF/services/io.maml4j.envs.EnvRegistry$Provider)";

  private final Map<String, Factory> factories;
  private final Map<String, String> origins;

  private EnvRegistry(Map<String, Factory> factories, Map<String, String> origins) {
    this.factories = Map.copyOf(factories);
    this.origins = Map.copyOf(origins);
  }

  /** A registry with no environments, to build on with {@link #with}. */
  public static EnvRegistry empty() {
    return new EnvRegistry(Map.of(), Map.of());
  }

  /** The providers' environments; a name offered by two of them is an error naming both. */
  public static EnvRegistry of(Iterable<? extends Provider> providers) {
    EnvRegistry r = empty();
    for (Provider p : providers) {
      for (Map.Entry<String, Factory> e : p.environments().entrySet()) {
        r = r.with(e.getKey(), e.getValue(), p.getClass().getName());
      }
    }
    return r;
  }

  private static final class Standard {
    static final EnvRegistry INSTANCE = of(ServiceLoader.load(Provider.class));
  }

  /** Built-ins and plug-ins on the class path, found by {@link ServiceLoader} once per process. */
  public static EnvRegistry standard() {
    return Standard.INSTANCE;
  }

  /** This registry and one more environment; a name already registered is an error. */
  public EnvRegistry with(String name, Factory factory) {
    return with(name, factory, "a registration of " + name);
  }

  private EnvRegistry with(String name, Factory factory, String origin) {
    Objects.requireNonNull(factory, "factory");
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("an environment needs a name, got " + (name == null ? null : "\"" + name + "\""));
    }
    if (factories.containsKey(name)) {
      throw new IllegalArgumentException("environment '" + name + "' is registered twice: by " + origins.get(name)
          + " and by " + origin);
    }
    Map<String, Factory> f = new HashMap<>(factories);
    Map<String, String> o = new HashMap<>(origins);
    f.put(name, factory);
    o.put(name, origin);
    return new EnvRegistry(f, o);
  }

  /** Names of all registered environments, sorted. */
  public Set<String> names() {
    return new TreeSet<>(factories.keySet());
  }

  /** Reads a spec file and builds its task distribution. */
  public TaskDistribution load(Path file) {
    return create(Fields.read(file));
  }

  /** Builds a task distribution from parsed spec fields (the {@code train} field is skipped). */
  public TaskDistribution create(Fields spec) {
    String name = spec.string("env");
    Factory f = factories.get(name);
    if (f == null) {
      throw ConfigException.field(spec.source(), "env", "one of " + names() + " or " + HOW_TO_ADD, "\"" + name + "\"");
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
