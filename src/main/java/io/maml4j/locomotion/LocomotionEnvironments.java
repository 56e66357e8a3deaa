package io.maml4j.locomotion;

import io.maml4j.envs.EnvRegistry;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Offers the five MuJoCo families to {@link EnvRegistry} through ServiceLoader. Offering them
 * does not touch MuJoCo: a spec of one of them fails to load, with MuJoCo's one-line install
 * message, only when the library is missing.
 */
public final class LocomotionEnvironments implements EnvRegistry.Provider {
  @Override
  public Map<String, EnvRegistry.Factory> environments() {
    Map<String, EnvRegistry.Factory> out = new LinkedHashMap<>();
    for (Locomotion kind : Locomotion.values()) {
      out.put(kind.specName(), kind::create);
    }
    return out;
  }
}
