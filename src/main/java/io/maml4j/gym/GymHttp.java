package io.maml4j.gym;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code "env": "gym-http"} environment spec: a {@link RemoteTaskDistribution} on a Gym HTTP
 * server. Fields:
 *
 * <ul>
 *   <li>{@code url}: the server, e.g. {@code "http://127.0.0.1:5000"}; or {@code urls}: several
 *       servers of the same environment, e.g. {@code ["http://10.0.0.1:5000",
 *       "http://10.0.0.2:5000"]}, over which instances are spread (instance {@code j} of a batch on
 *       server {@code j mod S}; see {@link RemoteTaskDistribution}). Exactly one of the two;
 *   <li>{@code env_id} (required): the server's environment id;
 *   <li>{@code horizon} (default 100): H, where the sampler cuts episodes;
 *   <li>{@code max_episode_steps} (default: the horizon): sent at create;
 *   <li>{@code tasks}: how tasks are drawn, either a nested spec of a local environment whose
 *       sampler is reused ({@code {"env": "navigation-2d", "goal_low": -0.5, "goal_high": 0.5}}),
 *       or explicit ranges ({@code {"uniform": {"goal": {"low": [-0.5, -0.5], "high": [0.5, 0.5]}},
 *       "fixed": {"name": value}}}); without it every instance gets the server's default task;
 *   <li>{@code batch} (default {@code "auto"}): {@code "auto"}, {@code "always"} or {@code "never"};
 *   <li>{@code timeout_seconds} (default 30) and {@code retries} (default 2);
 *   <li>{@code token_env}: the name of an environment variable holding the server's shared token
 *       (the token itself never goes in a spec file).
 * </ul>
 */
public final class GymHttp {
  /** The spec's environment name. */
  public static final String ENV_NAME = "gym-http";

  private GymHttp() {}

  /** Builds the distribution a {@code gym-http} spec describes; errors name the file and field. */
  public static RemoteTaskDistribution fromSpec(Fields f) {
    List<String> urls = urls(f);
    String envId = f.string("env_id");
    int horizon = f.integer("horizon", 100, 1, 1_000_000);
    int maxSteps = f.integer("max_episode_steps", horizon, 1, Integer.MAX_VALUE);
    String batch = f.choice("batch", "auto", List.of("auto", "always", "never"));
    double timeout = f.number("timeout_seconds", 30, 0.001, 86_400);
    int retries = f.integer("retries", 2, 0, 100);
    String tokenEnv = f.has("token_env") ? f.string("token_env") : null;
    TaskDistribution[] local = {null};
    RemoteTaskDistribution.TaskSampler tasks = f.has("tasks") ? tasks(f.object("tasks"), local)
        : RemoteTaskDistribution.TaskSampler.none();
    f.finish();
    if (envId.isBlank()) {
      throw ConfigException.field(f.source(), "env_id", "a non-empty environment id", "\"\"");
    }
    boolean many = f.has("urls");
    java.util.Set<okhttp3.HttpUrl> distinct = new java.util.HashSet<>();
    for (int i = 0; i < urls.size(); i++) {
      String url = urls.get(i);
      String field = many ? "urls[" + i + "]" : "url";
      okhttp3.HttpUrl parsed = url.startsWith("http://") || url.startsWith("https://") ? okhttp3.HttpUrl.parse(url) : null;
      if (parsed == null) {
        throw ConfigException.field(f.source(), field, "an http:// or https:// URL such as \"http://127.0.0.1:5000\"",
            "\"" + url + "\"");
      }
      if (!distinct.add(parsed)) {
        throw ConfigException.field(f.source(), field, "a server not already listed in 'urls'", "\"" + url + "\"");
      }
    }
    String token = null;
    if (tokenEnv != null) {
      token = System.getenv(tokenEnv);
      if (token == null || token.isEmpty()) {
        throw ConfigException.field(f.source(), "token_env", "the name of a set environment variable holding the token",
            "\"" + tokenEnv + "\" (not set)");
      }
    }
    List<GymHttpClient> clients = new ArrayList<>(urls.size());
    for (String url : urls) {
      GymHttpClient.Builder b = GymHttpClient.builder(url)
          .optTimeout(Duration.ofMillis(Math.round(timeout * 1000)))
          .optRetries(retries);
      if (token != null) {
        b.optToken(token);
      }
      clients.add(b.build());
    }
    return new RemoteTaskDistribution(clients, envId, horizon, maxSteps, tasks,
        RemoteTaskDistribution.BatchMode.valueOf(batch.toUpperCase(java.util.Locale.ROOT)), local[0]);
  }

  /** The server URLs: {@code url} (one) or {@code urls} (a non-empty list of strings), exactly one of them. */
  private static List<String> urls(Fields f) {
    boolean one = f.has("url");
    boolean many = f.has("urls");
    if (one && many) {
      throw new ConfigException(f.source() + ": fields 'url' and 'urls' both given: expected one of them "
          + "('url' for one server, 'urls' for a list of servers)");
    }
    if (!one && !many) {
      throw new ConfigException(f.source() + ": missing required field 'url' (or 'urls', a list of servers)");
    }
    if (one) {
      return List.of(f.string("url"));
    }
    JsonElement e = f.raw("urls");
    String expected = "a non-empty list of server URLs such as [\"http://10.0.0.1:5000\", \"http://10.0.0.2:5000\"]";
    if (!e.isJsonArray() || e.getAsJsonArray().isEmpty()) {
      throw ConfigException.field(f.source(), "urls", expected, e);
    }
    List<String> out = new ArrayList<>();
    JsonArray a = e.getAsJsonArray();
    for (int i = 0; i < a.size(); i++) {
      JsonElement x = a.get(i);
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
        throw ConfigException.field(f.source(), "urls[" + i + "]", "an http:// or https:// URL string", x);
      }
      out.add(x.getAsString());
    }
    return out;
  }

  /** The task sampler of a {@code tasks} object; a local environment it names is put in {@code local[0]}. */
  private static RemoteTaskDistribution.TaskSampler tasks(Fields t, TaskDistribution[] local) {
    if (t.has("env")) {
      String inner = t.string("env");
      if (inner.equals(ENV_NAME)) {
        throw ConfigException.field(t.source(), "env", "a local environment to sample tasks from", "\"" + ENV_NAME + "\"");
      }
      local[0] = EnvRegistry.standard().create(t);
      return local[0]::sample;
    }
    if (!t.has("uniform") && !t.has("fixed")) {
      t.finish();
      throw new ConfigException(t.source() + ": expected 'env' (a local environment to sample tasks from) or "
          + "'uniform' and/or 'fixed' (explicit task parameters)");
    }
    List<Range> ranges = t.has("uniform") ? ranges(t.source(), t.raw("uniform")) : List.of();
    Map<String, Object> fixed = t.has("fixed") ? fixed(t.source(), t.raw("fixed")) : Map.of();
    t.finish();
    for (Range r : ranges) {
      if (fixed.containsKey(r.name)) {
        throw ConfigException.field(t.source(), "fixed." + r.name, "a parameter not also in 'uniform'", "a duplicate");
      }
    }
    return rng -> {
      Map<String, Object> params = new LinkedHashMap<>();
      // Same draw order as the local distributions: parameter by parameter, coordinate by coordinate.
      for (Range r : ranges) {
        if (r.scalar) {
          params.put(r.name, r.low[0] + (r.high[0] - r.low[0]) * rng.nextDouble());
        } else {
          double[] v = new double[r.low.length];
          for (int i = 0; i < v.length; i++) {
            v[i] = r.low[i] + (r.high[i] - r.low[i]) * rng.nextDouble();
          }
          params.put(r.name, v);
        }
      }
      params.putAll(fixed);
      return new Task(params);
    };
  }

  /** One uniformly drawn parameter: a number, or a vector drawn coordinate-wise. */
  private record Range(String name, double[] low, double[] high, boolean scalar) {}

  private static List<Range> ranges(String source, JsonElement e) {
    if (!e.isJsonObject() || e.getAsJsonObject().isEmpty()) {
      throw ConfigException.field(source, "uniform", "an object of {\"low\": ..., \"high\": ...} per parameter", e);
    }
    List<Range> out = new ArrayList<>();
    for (Map.Entry<String, JsonElement> p : e.getAsJsonObject().entrySet()) {
      String field = "uniform." + p.getKey();
      if (!p.getValue().isJsonObject()) {
        throw ConfigException.field(source, field, "{\"low\": ..., \"high\": ...}", p.getValue());
      }
      JsonObject o = p.getValue().getAsJsonObject();
      for (String k : o.keySet()) {
        if (!k.equals("low") && !k.equals("high")) {
          throw new ConfigException(source + ": unknown field '" + field + "." + k + "' (known fields: high, low)");
        }
      }
      JsonElement lo = o.get("low");
      JsonElement hi = o.get("high");
      if (lo == null || hi == null) {
        throw new ConfigException(source + ": missing required field '" + field + "." + (lo == null ? "low" : "high") + "'");
      }
      boolean scalar = lo.isJsonPrimitive();
      double[] low = numbers(source, field + ".low", lo);
      double[] high = numbers(source, field + ".high", hi);
      if (low.length != high.length || scalar != hi.isJsonPrimitive()) {
        throw ConfigException.field(source, field + ".high", "the same shape as low (" + lo + ")", hi);
      }
      for (int i = 0; i < low.length; i++) {
        if (!(low[i] <= high[i])) {
          throw ConfigException.field(source, field + ".high", "values no less than low (" + lo + ")", hi);
        }
      }
      out.add(new Range(p.getKey(), low, high, scalar));
    }
    return out;
  }

  private static double[] numbers(String source, String field, JsonElement e) {
    String expected = "a finite number or a non-empty list of finite numbers";
    JsonArray a;
    if (e.isJsonPrimitive()) {
      a = new JsonArray();
      a.add(e);
    } else if (e.isJsonArray() && !e.getAsJsonArray().isEmpty()) {
      a = e.getAsJsonArray();
    } else {
      throw ConfigException.field(source, field, expected, e);
    }
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement x = a.get(i);
      if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber() || !Double.isFinite(x.getAsDouble())) {
        throw ConfigException.field(source, field, expected, e);
      }
      out[i] = x.getAsDouble();
    }
    return out;
  }

  private static Map<String, Object> fixed(String source, JsonElement e) {
    if (!e.isJsonObject()) {
      throw ConfigException.field(source, "fixed", "an object of parameter values", e);
    }
    try {
      return GymJson.task(e.getAsJsonObject()).params();
    } catch (IllegalArgumentException ex) {
      throw new ConfigException(source + ": field 'fixed': " + ex.getMessage().replace("kwargs ", "parameter "));
    }
  }
}
