package io.maml4j.gym;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.InterruptedIOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import okhttp3.ConnectionPool;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;

/**
 * The Gym HTTP API (openai/gym-http-api) as Java calls, one method per route, over pooled
 * keep-alive OkHttp connections. Thread-safe; one client per server is enough.
 *
 * <p>Replies of both dialects are read: the Gym one ({@code done}, with a time limit marked by
 * {@code info["TimeLimit.truncated"]}) and the Gymnasium one ({@code terminated}, {@code
 * truncated}). Failures are {@link GymHttpException}s. Calls that are safe to repeat (create,
 * reset, queries, close) are retried on connection failures and 502/503/504 replies; a step is
 * never retried, not even by OkHttp's transparent retry, since the server may have applied it.
 *
 * <p>The batched extension ({@code /v1/batch/...}, served by {@link GymHttpServer}) is discovered
 * by {@link #supportsBatch()}; a stock server answers its probe with 404 and callers fall back
 * to the plain routes.
 */
public final class GymHttpClient implements AutoCloseable {
  private static final MediaType JSON = MediaType.get("application/json");

  /**
   * Shared by all clients so that connections to one server are reused across them. Idle
   * connections are dropped after 20 s, before servers close them (30 s for maml4j serve and the
   * JDK's), so a step (never retried) rarely meets a connection the server has already closed.
   */
  private static final OkHttpClient SHARED = new OkHttpClient.Builder()
      .connectionPool(new ConnectionPool(16, 20, TimeUnit.SECONDS))
      .socketFactory(new NoDelaySocketFactory())
      .build();

  private final HttpUrl base;
  private final OkHttpClient http;
  private final Duration timeout;
  private final String token;
  private final int retries;
  private volatile Boolean batch;

  /** A client with the default timeouts (connect 5 s, reply 30 s), no token and 2 retries. */
  public GymHttpClient(String baseUrl) {
    this(builder(baseUrl));
  }

  private GymHttpClient(Builder b) {
    this.base = b.base;
    this.timeout = b.timeout;
    this.token = b.token;
    this.retries = b.retries;
    this.http = SHARED.newBuilder()
        .connectTimeout(b.connectTimeout)
        .readTimeout(b.timeout)
        .writeTimeout(b.timeout)
        .build();
  }

  /** Starts configuring a client for the server at {@code baseUrl}, such as {@code http://127.0.0.1:5000}. */
  public static Builder builder(String baseUrl) {
    return new Builder(baseUrl);
  }

  /** Options of a {@link GymHttpClient}; {@code opt*} setters have defaults. */
  public static final class Builder {
    private final HttpUrl base;
    private Duration connectTimeout = Duration.ofSeconds(5);
    private Duration timeout = Duration.ofSeconds(30);
    private String token;
    private int retries = 2;

    private Builder(String baseUrl) {
      HttpUrl u = baseUrl == null ? null : HttpUrl.parse(baseUrl);
      if (u == null) {
        throw new IllegalArgumentException("server URL must be an http:// or https:// URL, got " + baseUrl);
      }
      this.base = u;
    }

    /** Time allowed to open a connection (default 5 s). */
    public Builder optConnectTimeout(Duration d) {
      this.connectTimeout = positive(d, "connect timeout");
      return this;
    }

    /** Time allowed for a reply to arrive once the request is sent (default 30 s). */
    public Builder optTimeout(Duration d) {
      this.timeout = positive(d, "timeout");
      return this;
    }

    /** Sends {@code Authorization: Bearer <token>} with every call, for a server that requires it. */
    public Builder optToken(String token) {
      this.token = token;
      return this;
    }

    /** Extra attempts for calls that are safe to repeat (default 2; steps are never repeated). */
    public Builder optRetries(int retries) {
      if (retries < 0) {
        throw new IllegalArgumentException("retries must be at least 0, got " + retries);
      }
      this.retries = retries;
      return this;
    }

    public GymHttpClient build() {
      return new GymHttpClient(this);
    }

    private static Duration positive(Duration d, String what) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(what + " must be positive, got " + d);
      }
      return d;
    }
  }

  /**
   * Optional creation arguments. {@code seed} is the reference server's; {@code maxEpisodeSteps}
   * and {@code kwargs} are the Gymnasium fork's (and this project's server's); a stock server
   * ignores them. Null fields are not sent.
   */
  public record CreateOptions(Long seed, Integer maxEpisodeSteps, Task kwargs) {
    private static final CreateOptions NONE = new CreateOptions(null, null, null);

    public CreateOptions {
      if (maxEpisodeSteps != null && maxEpisodeSteps <= 0) {
        throw new IllegalArgumentException("max_episode_steps must be greater than 0, got " + maxEpisodeSteps);
      }
    }

    /** No options: the server's defaults. */
    public static CreateOptions none() {
      return NONE;
    }

    /** Only the task's parameters, as kwargs. */
    public static CreateOptions task(Task task) {
      return new CreateOptions(null, null, task);
    }
  }

  /** What a reset returned; {@code info} is empty when the server sent none (the Gym dialect). */
  public record Reset(Observation observation, JsonObject info) {}

  /**
   * What a step returned, in the Gymnasium form. From a Gym-dialect server, {@code done} becomes
   * {@code truncated} when {@code info["TimeLimit.truncated"]} is true and {@code terminated}
   * otherwise.
   */
  public record Step(Observation observation, double reward, boolean terminated, boolean truncated, JsonObject info) {
    public boolean done() {
      return terminated || truncated;
    }
  }

  /** The server's base URL. */
  public String baseUrl() {
    return base.toString();
  }

  // ------------------------------------------------------------------------------- plain routes

  /** {@code POST /v1/envs/}: creates an instance of {@code envId} and returns its instance id. */
  public String create(String envId) {
    return create(envId, CreateOptions.none());
  }

  /** {@code POST /v1/envs/} with optional seed, max_episode_steps and kwargs. */
  public String create(String envId, CreateOptions options) {
    Objects.requireNonNull(envId, "envId");
    byte[] body = json(w -> {
      w.beginObject().name("env_id").value(envId);
      writeOptions(w, options);
      w.endObject();
    });
    return call("POST", url(true, "v1", "envs"), body, true, r -> {
      String id = null;
      r.beginObject();
      while (r.hasNext()) {
        if (r.nextName().equals("instance_id") && r.peek() != JsonToken.NULL) {
          id = r.nextString();
        } else {
          r.skipValue();
        }
      }
      r.endObject();
      return required(id, "instance_id");
    });
  }

  private static void writeOptions(JsonWriter w, CreateOptions o) throws IOException {
    if (o.seed() != null) {
      w.name("seed").value(o.seed());
    }
    if (o.maxEpisodeSteps() != null) {
      w.name("max_episode_steps").value(o.maxEpisodeSteps());
    }
    if (o.kwargs() != null) {
      w.name("kwargs");
      GymJson.writeTask(w, o.kwargs());
    }
  }

  /** {@code GET /v1/envs/}: the live instances, instance id to env id. */
  public Map<String, String> listAll() {
    return call("GET", url(true, "v1", "envs"), null, true, r -> {
      Map<String, String> out = null;
      r.beginObject();
      while (r.hasNext()) {
        if (r.nextName().equals("all_envs")) {
          out = new LinkedHashMap<>();
          r.beginObject();
          while (r.hasNext()) {
            out.put(r.nextName(), r.nextString());
          }
          r.endObject();
        } else {
          r.skipValue();
        }
      }
      r.endObject();
      return Collections.unmodifiableMap(required(out, "all_envs"));
    });
  }

  /** {@code POST /v1/envs/{id}/reset/} without a seed. */
  public Reset reset(String instanceId) {
    return reset(instanceId, null);
  }

  /**
   * {@code POST /v1/envs/{id}/reset/}. The seed is sent as {@code {"seed": s}}, which the
   * Gymnasium fork and this project's server honour and the reference server ignores.
   */
  public Reset reset(String instanceId, Long seed) {
    byte[] body = json(w -> {
      w.beginObject();
      if (seed != null) {
        w.name("seed").value(seed);
      }
      w.endObject();
    });
    return call("POST", url(true, "v1", "envs", instanceId, "reset"), body, true, r -> {
      Observation obs = null;
      JsonObject info = null;
      r.beginObject();
      while (r.hasNext()) {
        switch (r.nextName()) {
          case "observation" -> obs = GymJson.readObservation(r);
          case "info" -> info = object(r);
          default -> r.skipValue();
        }
      }
      r.endObject();
      return new Reset(required(obs, "observation"), info == null ? new JsonObject() : info);
    });
  }

  /** {@code POST /v1/envs/{id}/step/} with a flat action encoded for its space. Never retried. */
  public Step step(String instanceId, Space actionSpace, double[] action) {
    checkAction(actionSpace, action);
    return step(instanceId, json(w -> {
      w.beginObject().name("action");
      GymJson.write(w, actionSpace, action);
      w.name("render").value(false).endObject();
    }));
  }

  /** {@code POST /v1/envs/{id}/step/} with an action already in JSON form. Never retried. */
  public Step step(String instanceId, JsonElement action) {
    return step(instanceId, json(w -> {
      w.beginObject().name("action");
      w.jsonValue(action.toString());
      w.name("render").value(false).endObject();
    }));
  }

  private Step step(String instanceId, byte[] body) {
    return call("POST", url(true, "v1", "envs", instanceId, "step"), body, false, GymHttpClient::readStep);
  }

  private static Step readStep(JsonReader r) throws IOException {
    Observation obs = null;
    Double reward = null;
    Boolean done = null;
    Boolean terminated = null;
    Boolean truncated = null;
    JsonObject info = null;
    r.beginObject();
    while (r.hasNext()) {
      switch (r.nextName()) {
        case "observation" -> obs = GymJson.readObservation(r);
        case "reward" -> reward = GymJson.readFinite(r, "reward");
        case "done" -> done = GymJson.readBoolean(r);
        case "terminated" -> terminated = GymJson.readBoolean(r);
        case "truncated" -> truncated = GymJson.readBoolean(r);
        case "info" -> info = object(r);
        default -> r.skipValue();
      }
    }
    r.endObject();
    required(obs, "observation");
    required(reward, "reward");
    if (info == null) {
      info = new JsonObject();
    }
    if (terminated != null || truncated != null) {
      return new Step(obs, reward, Boolean.TRUE.equals(terminated), Boolean.TRUE.equals(truncated), info);
    }
    required(done, "done (or terminated and truncated)");
    // Gym's TimeLimit wrapper marks a cut episode with info["TimeLimit.truncated"]; such an end
    // is not terminal, and bootstrapping must keep the value of the last state.
    JsonElement cut = info.get("TimeLimit.truncated");
    boolean timeLimit = done && cut != null && cut.isJsonPrimitive() && cut.getAsJsonPrimitive().isBoolean()
        && cut.getAsBoolean();
    return new Step(obs, reward, done && !timeLimit, timeLimit, info);
  }

  /** {@code GET /v1/envs/{id}/action_space/}. */
  public Space actionSpace(String instanceId) {
    return space(url(true, "v1", "envs", instanceId, "action_space"));
  }

  /** {@code GET /v1/envs/{id}/observation_space/}. */
  public Space observationSpace(String instanceId) {
    return space(url(true, "v1", "envs", instanceId, "observation_space"));
  }

  private Space space(HttpUrl url) {
    return call("GET", url, null, true, r -> {
      JsonElement info = null;
      r.beginObject();
      while (r.hasNext()) {
        if (r.nextName().equals("info")) {
          info = JsonParser.parseReader(r);
        } else {
          r.skipValue();
        }
      }
      r.endObject();
      return GymJson.space(required(info, "info"));
    });
  }

  /** {@code GET /v1/envs/{id}/action_space/sample}: a random action, in JSON form. */
  public JsonElement sampleAction(String instanceId) {
    return call("GET", url(false, "v1", "envs", instanceId, "action_space", "sample"), null, true,
        r -> required(field(r, "action"), "action"));
  }

  /**
   * {@code GET /v1/envs/{id}/action_space/contains/{x}}. The reference server reads {@code x}
   * as an integer, so this route only serves discrete spaces there.
   */
  public boolean containsAction(String instanceId, String x) {
    return call("GET", url(false, "v1", "envs", instanceId, "action_space", "contains", x), null, true, r -> {
      JsonElement m = required(field(r, "member"), "member");
      if (!m.isJsonPrimitive() || !m.getAsJsonPrimitive().isBoolean()) {
        throw new IllegalArgumentException("member must be true or false, got " + m);
      }
      return m.getAsBoolean();
    });
  }

  /**
   * Closes an instance: {@code POST /v1/envs/{id}/close/}, or, if the server does not know that
   * route (404/405), the Gymnasium fork's {@code DELETE /v1/envs/{id}/}.
   */
  public void close(String instanceId) {
    try {
      call("POST", url(true, "v1", "envs", instanceId, "close"), json(w -> w.beginObject().endObject()), true, null);
    } catch (GymHttpException.Rejected e) {
      if (e.status() != 404 && e.status() != 405) {
        throw e;
      }
      call("DELETE", url(true, "v1", "envs", instanceId), null, true, null);
    }
  }

  /** {@code POST /v1/shutdown/}: asks the server to stop. */
  public void shutdown() {
    call("POST", url(true, "v1", "shutdown"), json(w -> w.beginObject().endObject()), false, null);
  }

  // ------------------------------------------------------------------------- batched extension

  /**
   * Whether the server offers the batched extension: {@code GET /v1/batch/} answers
   * {@code {"batch": version}}. Asked once and remembered; a 4xx answer (a stock server's 404)
   * means no. Connection failures and timeouts are thrown, not taken for "no".
   */
  public boolean supportsBatch() {
    Boolean b = batch;
    if (b == null) {
      try {
        b = call("GET", url(true, "v1", "batch"), null, true, r -> {
          JsonElement v = field(r, "batch");
          return v != null && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber() && v.getAsInt() >= 1;
        });
      } catch (GymHttpException.Rejected | GymHttpException.BadReply e) {
        b = false;
      }
      batch = b;
    }
    return b;
  }

  /** The instances a batched create made, with the spaces they share. */
  public record BatchCreated(List<String> instanceIds, Space observationSpace, Space actionSpace) {
    public BatchCreated {
      instanceIds = List.copyOf(instanceIds);
    }
  }

  /**
   * {@code POST /v1/batch/create/}: one instance per options entry, all of {@code envId}, made
   * all or none. Only {@code kwargs} and {@code seed} may differ between entries.
   */
  public BatchCreated createBatch(String envId, List<CreateOptions> options) {
    if (options.isEmpty()) {
      throw new IllegalArgumentException("a batched create needs at least one instance");
    }
    Integer maxSteps = options.get(0).maxEpisodeSteps();
    for (CreateOptions o : options) {
      if (!Objects.equals(o.maxEpisodeSteps(), maxSteps)) {
        throw new IllegalArgumentException("a batched create takes one max_episode_steps for all instances, got "
            + maxSteps + " and " + o.maxEpisodeSteps());
      }
    }
    boolean anySeed = options.stream().anyMatch(o -> o.seed() != null);
    boolean anyKwargs = options.stream().anyMatch(o -> o.kwargs() != null);
    byte[] body = json(w -> {
      w.beginObject().name("env_id").value(envId).name("count").value(options.size());
      if (maxSteps != null) {
        w.name("max_episode_steps").value(maxSteps);
      }
      if (anySeed) {
        w.name("seeds").beginArray();
        for (CreateOptions o : options) {
          if (o.seed() == null) {
            w.nullValue();
          } else {
            w.value(o.seed());
          }
        }
        w.endArray();
      }
      if (anyKwargs) {
        w.name("kwargs").beginArray();
        for (CreateOptions o : options) {
          GymJson.writeTask(w, o.kwargs() == null ? new Task(Map.of()) : o.kwargs());
        }
        w.endArray();
      }
      w.endObject();
    });
    return call("POST", url(true, "v1", "batch", "create"), body, true, r -> {
      List<String> ids = null;
      Space obs = null;
      Space act = null;
      r.beginObject();
      while (r.hasNext()) {
        switch (r.nextName()) {
          case "instance_ids" -> {
            ids = new ArrayList<>();
            r.beginArray();
            while (r.hasNext()) {
              ids.add(r.nextString());
            }
            r.endArray();
          }
          case "observation_space" -> obs = GymJson.space(JsonParser.parseReader(r));
          case "action_space" -> act = GymJson.space(JsonParser.parseReader(r));
          default -> r.skipValue();
        }
      }
      r.endObject();
      if (required(ids, "instance_ids").size() != options.size()) {
        throw new IllegalArgumentException("asked for " + options.size() + " instances, got " + ids.size());
      }
      return new BatchCreated(ids, required(obs, "observation_space"), required(act, "action_space"));
    });
  }

  /** {@code POST /v1/batch/reset/}: resets every instance with its seed; one flat observation each. */
  public double[][] resetBatch(List<String> instanceIds, long[] seeds) {
    if (seeds.length != instanceIds.size()) {
      throw new IllegalArgumentException("need one seed per instance: " + instanceIds.size() + " instances, "
          + seeds.length + " seeds");
    }
    byte[] body = json(w -> {
      w.beginObject();
      ids(w, instanceIds);
      w.name("seeds").beginArray();
      for (long s : seeds) {
        w.value(s);
      }
      w.endArray().endObject();
    });
    return call("POST", url(true, "v1", "batch", "reset"), body, true, r -> {
      double[][] obs = null;
      r.beginObject();
      while (r.hasNext()) {
        if (r.nextName().equals("observations")) {
          obs = observations(r, instanceIds);
        } else {
          r.skipValue();
        }
      }
      r.endObject();
      return required(obs, "observations");
    });
  }

  /**
   * {@code POST /v1/batch/step/}: steps every listed instance with its flat action, in one round
   * trip. Never retried.
   */
  public StepResult[] stepBatch(List<String> instanceIds, Space actionSpace, double[][] actions) {
    if (actions.length != instanceIds.size()) {
      throw new IllegalArgumentException("need one action per instance: " + instanceIds.size() + " instances, "
          + actions.length + " actions");
    }
    for (double[] a : actions) {
      checkAction(actionSpace, a);
    }
    int n = instanceIds.size();
    byte[] body = json(w -> {
      w.beginObject();
      ids(w, instanceIds);
      w.name("actions").beginArray();
      for (double[] a : actions) {
        GymJson.write(w, actionSpace, a);
      }
      w.endArray().endObject();
    });
    return call("POST", url(true, "v1", "batch", "step"), body, false, r -> {
      double[][] obs = null;
      double[] rewards = null;
      boolean[] terminated = null;
      boolean[] truncated = null;
      r.beginObject();
      while (r.hasNext()) {
        switch (r.nextName()) {
          case "observations" -> obs = observations(r, instanceIds);
          case "rewards" -> {
            rewards = new double[n];
            r.beginArray();
            for (int i = 0; i < n; i++) {
              if (!r.hasNext()) {
                throw new IllegalArgumentException("expected " + n + " rewards, got " + i);
              }
              rewards[i] = GymJson.readFinite(r, "rewards[" + i + "] (instance " + instanceIds.get(i) + ")");
            }
            r.endArray();
          }
          case "terminated" -> terminated = booleans(r, n);
          case "truncated" -> truncated = booleans(r, n);
          default -> r.skipValue();
        }
      }
      r.endObject();
      required(obs, "observations");
      required(rewards, "rewards");
      required(terminated, "terminated");
      required(truncated, "truncated");
      StepResult[] out = new StepResult[n];
      for (int i = 0; i < n; i++) {
        out[i] = new StepResult(obs[i], rewards[i], terminated[i], truncated[i]);
      }
      return out;
    });
  }

  /** {@code POST /v1/batch/close/}: closes every listed instance. */
  public void closeBatch(List<String> instanceIds) {
    call("POST", url(true, "v1", "batch", "close"), json(w -> {
      w.beginObject();
      ids(w, instanceIds);
      w.endObject();
    }), true, null);
  }

  private static void ids(JsonWriter w, List<String> ids) throws IOException {
    w.name("instance_ids").beginArray();
    for (String id : ids) {
      w.value(id);
    }
    w.endArray();
  }

  private static double[][] observations(JsonReader r, List<String> ids) throws IOException {
    int n = ids.size();
    double[][] out = new double[n][];
    r.beginArray();
    for (int i = 0; i < n; i++) {
      if (!r.hasNext()) {
        throw new IllegalArgumentException("expected " + n + " observations, got " + i);
      }
      try {
        out[i] = GymJson.readObservation(r).values();
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("observations[" + i + "] (instance " + ids.get(i) + "): " + e.getMessage(), e);
      }
    }
    if (r.hasNext()) {
      throw new IllegalArgumentException("expected " + n + " observations, got more");
    }
    r.endArray();
    return out;
  }

  private static boolean[] booleans(JsonReader r, int n) throws IOException {
    boolean[] out = new boolean[n];
    r.beginArray();
    for (int i = 0; i < n; i++) {
      out[i] = GymJson.readBoolean(r);
    }
    r.endArray();
    return out;
  }

  /** Nothing to release: connections belong to a pool shared by all clients and expire on their own. */
  @Override
  public void close() {}

  // ---------------------------------------------------------------------------------- plumbing

  /** Parses a successful reply body. */
  @FunctionalInterface
  private interface ReplyReader<T> {
    T read(JsonReader r) throws IOException;
  }

  @FunctionalInterface
  private interface JsonBody {
    void write(JsonWriter w) throws IOException;
  }

  private static void checkAction(Space space, double[] action) {
    if (action.length != space.flatSize()) {
      throw new IllegalArgumentException("action must have " + space.flatSize() + " entries for " + space + ", got "
          + action.length);
    }
    for (int i = 0; i < action.length; i++) {
      if (!Double.isFinite(action[i])) {
        throw new IllegalArgumentException("action entry " + i + " must be finite, got " + action[i]);
      }
    }
  }

  private static byte[] json(JsonBody body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (Writer out = new OutputStreamWriter(bytes, StandardCharsets.UTF_8); JsonWriter w = new JsonWriter(out)) {
      w.setStrictness(Strictness.STRICT);
      body.write(w);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static <T> T required(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("no '" + field + "' field");
    }
    return value;
  }

  private static JsonObject object(JsonReader r) throws IOException {
    JsonElement e = JsonParser.parseReader(r);
    return e.isJsonObject() ? e.getAsJsonObject() : new JsonObject();
  }

  private static JsonElement field(JsonReader r, String name) throws IOException {
    JsonElement out = null;
    r.beginObject();
    while (r.hasNext()) {
      if (r.nextName().equals(name)) {
        out = JsonParser.parseReader(r);
      } else {
        r.skipValue();
      }
    }
    r.endObject();
    return out;
  }

  /** The URL of a route under the base URL; the reference server's routes are exact about trailing slashes. */
  HttpUrl url(boolean trailingSlash, String... segments) {
    HttpUrl.Builder b = base.newBuilder();
    List<String> path = base.pathSegments();
    if (!path.isEmpty() && path.get(path.size() - 1).isEmpty()) {
      b.removePathSegment(path.size() - 1);
    }
    for (String s : segments) {
      b.addPathSegment(s);
    }
    if (trailingSlash) {
      b.addPathSegment("");
    }
    return b.build();
  }

  /**
   * Sends one call and parses its reply, retrying it on connection failures and 502/503/504 when
   * {@code retryable}. A non-retryable body is one-shot, which stops OkHttp from silently
   * resending it on a stale pooled connection.
   */
  private <T> T call(String method, HttpUrl url, byte[] body, boolean retryable, ReplyReader<T> reader) {
    Request.Builder rb = new Request.Builder().url(url);
    if (token != null) {
      rb.header("Authorization", "Bearer " + token);
    }
    rb.method(method, body == null ? null : new Body(body, !retryable));
    Request request = rb.build();
    String u = url.toString();
    for (int attempt = 0; ; attempt++) {
      GymHttpException failure;
      try (Response response = http.newCall(request).execute()) {
        byte[] bytes = response.body().bytes();
        int code = response.code();
        if (code >= 200 && code < 300) {
          if (reader == null) {
            return null;
          }
          return parse(method, u, bytes, reader);
        }
        failure = error(method, u, code, bytes);
        if (!(failure instanceof GymHttpException.ServerFailure) || (code != 502 && code != 503 && code != 504)) {
          throw failure;
        }
      } catch (SocketTimeoutException e) {
        throw new GymHttpException.TimedOut(method, u, e.getMessage() != null
            && e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("connect") ? connectTimeout() : timeout, e);
      } catch (InterruptedIOException e) {
        throw new GymHttpException.TimedOut(method, u, timeout, e);
      } catch (ConnectException e) {
        failure = new GymHttpException.Unreachable(method, u, "connection refused", e);
      } catch (UnknownHostException e) {
        failure = new GymHttpException.Unreachable(method, u, "unknown host " + url.host(), e);
      } catch (IOException e) {
        failure = new GymHttpException.Unreachable(method, u, String.valueOf(e.getMessage()), e);
      }
      if (!retryable || attempt >= retries) {
        throw failure;
      }
      try {
        Thread.sleep(100L << attempt);
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw failure;
      }
    }
  }

  private Duration connectTimeout() {
    return Duration.ofMillis(http.connectTimeoutMillis());
  }

  private static <T> T parse(String method, String url, byte[] bytes, ReplyReader<T> reader) {
    try (JsonReader r = new JsonReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
      // Python's json writes NaN and Infinity for non-finite floats: parse them, to refuse them by field name.
      r.setStrictness(Strictness.LENIENT);
      return reader.read(r);
    } catch (IOException | IllegalStateException | IllegalArgumentException | JsonParseException e) {
      String detail = e instanceof IllegalArgumentException ? e.getMessage() : "malformed JSON (" + e.getMessage() + ")";
      throw new GymHttpException.BadReply(method, url, detail + " in " + excerpt(bytes), e);
    }
  }

  private static GymHttpException error(String method, String url, int code, byte[] bytes) {
    String message = null;
    try {
      JsonElement e = JsonParser.parseString(new String(bytes, StandardCharsets.UTF_8));
      if (e.isJsonObject() && e.getAsJsonObject().has("message")) {
        JsonElement m = e.getAsJsonObject().get("message");
        message = m.isJsonPrimitive() ? m.getAsString() : m.toString();
      }
    } catch (JsonParseException | IllegalStateException ex) {
      // not JSON: an HTML error page, most likely
    }
    if (message == null) {
      message = text(bytes);
    }
    return code >= 400 && code < 500 ? new GymHttpException.Rejected(method, url, code, message)
        : new GymHttpException.ServerFailure(method, url, code, message);
  }

  /** An error body as one short line: tags and scripts stripped, entities decoded, whitespace collapsed. */
  static String text(byte[] bytes) {
    String s = new String(bytes, StandardCharsets.UTF_8);
    s = s.replaceAll("(?is)<(script|style)[^>]*>.*?</\\1>", " ")
        .replaceAll("(?s)<[^>]*>", " ")
        .replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'").replace("&amp;", "&")
        .replaceAll("\\s+", " ").trim();
    return s.length() <= 300 ? s : s.substring(0, 297) + "...";
  }

  private static String excerpt(byte[] bytes) {
    String s = new String(bytes, 0, Math.min(bytes.length, 120), StandardCharsets.UTF_8).replaceAll("\\s+", " ");
    return "'" + s + (bytes.length > 120 ? "...'" : "'");
  }

  /**
   * Plain sockets with Nagle's algorithm off. A large request leaves OkHttp's buffer in two
   * writes; with Nagle on, the second waits for the server's delayed ACK of the first, some 40 ms
   * on Linux, on every batched step.
   */
  private static final class NoDelaySocketFactory extends javax.net.SocketFactory {
    private final javax.net.SocketFactory plain = javax.net.SocketFactory.getDefault();

    private static java.net.Socket noDelay(java.net.Socket s) throws IOException {
      s.setTcpNoDelay(true);
      return s;
    }

    @Override
    public java.net.Socket createSocket() throws IOException {
      return noDelay(plain.createSocket());
    }

    @Override
    public java.net.Socket createSocket(String host, int port) throws IOException {
      return noDelay(plain.createSocket(host, port));
    }

    @Override
    public java.net.Socket createSocket(String host, int port, java.net.InetAddress local, int localPort)
        throws IOException {
      return noDelay(plain.createSocket(host, port, local, localPort));
    }

    @Override
    public java.net.Socket createSocket(java.net.InetAddress host, int port) throws IOException {
      return noDelay(plain.createSocket(host, port));
    }

    @Override
    public java.net.Socket createSocket(java.net.InetAddress host, int port, java.net.InetAddress local, int localPort)
        throws IOException {
      return noDelay(plain.createSocket(host, port, local, localPort));
    }
  }

  /** A JSON request body; one-shot bodies are never resent by OkHttp. */
  private static final class Body extends RequestBody {
    private final byte[] bytes;
    private final boolean oneShot;

    Body(byte[] bytes, boolean oneShot) {
      this.bytes = bytes;
      this.oneShot = oneShot;
    }

    @Override
    public MediaType contentType() {
      return JSON;
    }

    @Override
    public long contentLength() {
      return bytes.length;
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      sink.write(bytes);
    }

    @Override
    public boolean isOneShot() {
      return oneShot;
    }
  }
}
