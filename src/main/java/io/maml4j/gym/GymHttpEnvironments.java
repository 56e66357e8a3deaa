package io.maml4j.gym;

import io.maml4j.envs.EnvRegistry;
import java.util.Map;

/** Offers {@code gym-http} (remote environments over the Gym HTTP API) to {@link EnvRegistry} through ServiceLoader. */
public final class GymHttpEnvironments implements EnvRegistry.Provider {
  @Override
  public Map<String, EnvRegistry.Factory> environments() {
    return Map.of(GymHttp.ENV_NAME, GymHttp::fromSpec);
  }
}
