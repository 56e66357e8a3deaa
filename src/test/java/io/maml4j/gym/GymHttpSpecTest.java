package io.maml4j.gym;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.Task;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.envs.Navigation2D;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The {@code gym-http} environment spec: what it builds, and one clear error per bad field. */
class GymHttpSpecTest {
  private static RemoteTaskDistribution build(String json) {
    return (RemoteTaskDistribution) EnvRegistry.standard().create(Fields.parse("remote.json", json));
  }

  private static String error(String json) {
    return assertThrows(ConfigException.class, () -> build(json)).getMessage();
  }

  private static final String HEAD = "{\"env\": \"gym-http\", \"url\": \"http://127.0.0.1:5000\", \"env_id\": \"navigation-2d\"";

  @Test
  void when_shippedRemoteSpecLoaded_expect_remoteNavigationWithLocalTasks() {
    RemoteTaskDistribution d = (RemoteTaskDistribution) EnvRegistry.standard().load(Path.of("environments/navigation-2d-remote.json"));
    assertEquals("gym-http", d.name());
    assertEquals("navigation-2d", d.envId());
    assertEquals(100, d.horizon());
    assertEquals("http://127.0.0.1:5000/", d.client().baseUrl());
    assertEquals(Navigation2D.standard().sample(new SplittableRandom(4)), d.sample(new SplittableRandom(4)));
  }

  @Test
  void when_tasksGivenAsUniformRanges_expect_theSameDrawsAsTheLocalDistribution() {
    RemoteTaskDistribution d = build(HEAD + ", \"tasks\": {\"uniform\": {\"goal\": {\"low\": [-0.5, -0.5], "
        + "\"high\": [0.5, 0.5]}}}}");
    SplittableRandom a = new SplittableRandom(11);
    SplittableRandom b = new SplittableRandom(11);
    for (int i = 0; i < 5; i++) {
      assertEquals(Navigation2D.standard().sample(a), d.sample(b));
    }
    RemoteTaskDistribution mixed = build(HEAD + ", \"tasks\": {\"uniform\": {\"speed\": {\"low\": 1, \"high\": 2}}, "
        + "\"fixed\": {\"mode\": \"run\", \"goal\": [0.1, 0.2]}}}");
    Task t = mixed.sample(new SplittableRandom(1));
    assertEquals(1 + new SplittableRandom(1).nextDouble(), t.number("speed"));
    assertEquals("run", t.params().get("mode"));
    assertEquals(List.of(0.1, 0.2), t.params().get("goal"));
    assertEquals(Map.of(), build(HEAD + "}").sample(new SplittableRandom(1)).params());
  }

  @Test
  void when_severalUrlsGiven_expect_oneClientPerServerInOrder() {
    RemoteTaskDistribution d = build("{\"env\": \"gym-http\", \"urls\": [\"http://10.0.0.1:5000\", "
        + "\"https://10.0.0.2:5001/\"], \"env_id\": \"navigation-2d\"}");
    assertEquals(List.of("http://10.0.0.1:5000/", "https://10.0.0.2:5001/"),
        d.clients().stream().map(GymHttpClient::baseUrl).toList());
    assertEquals("http://10.0.0.1:5000/", d.client().baseUrl());
    assertEquals(1, build(HEAD + "}").clients().size());
  }

  @Test
  void when_urlsAreBad_expect_oneErrorNamingFileAndField() {
    String tail = ", \"env_id\": \"x\"}";
    assertEquals("remote.json: fields 'url' and 'urls' both given: expected one of them ('url' for one server, "
        + "'urls' for a list of servers)", error("{\"env\": \"gym-http\", \"url\": \"http://h:1\", "
        + "\"urls\": [\"http://h:2\"]" + tail));
    assertEquals("remote.json: field 'urls': expected a non-empty list of server URLs such as "
        + "[\"http://10.0.0.1:5000\", \"http://10.0.0.2:5000\"], got []",
        error("{\"env\": \"gym-http\", \"urls\": []" + tail));
    assertEquals("remote.json: field 'urls': expected a non-empty list of server URLs such as "
        + "[\"http://10.0.0.1:5000\", \"http://10.0.0.2:5000\"], got \"http://h:1\"",
        error("{\"env\": \"gym-http\", \"urls\": \"http://h:1\"" + tail));
    assertEquals("remote.json: field 'urls[1]': expected an http:// or https:// URL such as "
        + "\"http://127.0.0.1:5000\", got \"h:2\"", error("{\"env\": \"gym-http\", \"urls\": [\"http://h:1\", \"h:2\"]" + tail));
    assertEquals("remote.json: field 'urls[0]': expected an http:// or https:// URL string, got 5000",
        error("{\"env\": \"gym-http\", \"urls\": [5000]" + tail));
    assertEquals("remote.json: field 'urls[1]': expected a server not already listed in 'urls', got "
        + "\"http://h:1/\"", error("{\"env\": \"gym-http\", \"urls\": [\"http://h:1\", \"http://h:1/\"]" + tail));
  }

  @Test
  void when_specIsBad_expect_oneErrorNamingFileAndField() {
    assertEquals("remote.json: missing required field 'url' (or 'urls', a list of servers)",
        error("{\"env\": \"gym-http\", \"env_id\": \"x\"}"));
    assertEquals("remote.json: field 'url': expected an http:// or https:// URL such as \"http://127.0.0.1:5000\", "
        + "got \"localhost:5000\"", error("{\"env\": \"gym-http\", \"url\": \"localhost:5000\", \"env_id\": \"x\"}"));
    assertEquals("remote.json: missing required field 'env_id'",
        error("{\"env\": \"gym-http\", \"url\": \"http://h:1\"}"));
    assertEquals("remote.json: unknown field 'horizn' (known fields: batch, env, env_id, horizon, max_episode_steps, policy, "
        + "retries, tasks, timeout_seconds, token_env, train, url, urls)", error(HEAD + ", \"horizn\": 5}"));
    assertEquals("remote.json: field 'batch': expected one of [auto, always, never], got \"sometimes\"",
        error(HEAD + ", \"batch\": \"sometimes\"}"));
    assertEquals("remote.json: field 'horizon': expected an integer in [1, 1000000], got 0", error(HEAD + ", \"horizon\": 0}"));
    assertEquals("remote.json (in 'tasks'): unknown field 'goal_hi' (known fields: env, goal_high, goal_low, "
        + "horizon, policy, train)", error(HEAD + ", \"tasks\": {\"env\": \"navigation-2d\", \"goal_hi\": 1}}"));
    assertEquals("remote.json (in 'tasks'): field 'env': expected a local environment to sample tasks from, got "
        + "\"gym-http\"", error(HEAD + ", \"tasks\": {\"env\": \"gym-http\"}}"));
    assertEquals("remote.json (in 'tasks'): field 'uniform.goal.high': expected values no less than low "
        + "([0.5,0.5]), got [0.4,0.6]", error(HEAD + ", \"tasks\": {\"uniform\": {\"goal\": {\"low\": [0.5, 0.5], "
        + "\"high\": [0.4, 0.6]}}}}"));
    assertEquals("remote.json (in 'tasks'): missing required field 'uniform.goal.high'",
        error(HEAD + ", \"tasks\": {\"uniform\": {\"goal\": {\"low\": 0}}}}"));
    assertEquals("remote.json (in 'tasks'): expected 'env' (a local environment to sample tasks from) or 'uniform' "
        + "and/or 'fixed' (explicit task parameters)", error(HEAD + ", \"tasks\": {}}"));
    assertEquals("remote.json: field 'token_env': expected the name of a set environment variable holding the token, "
        + "got \"MAML4J_NO_SUCH_VARIABLE_SET\" (not set)", error(HEAD + ", \"token_env\": \"MAML4J_NO_SUCH_VARIABLE_SET\"}"));
  }
}
