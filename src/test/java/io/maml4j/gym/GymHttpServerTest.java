package io.maml4j.gym;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.env.Environment;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.envs.Navigation2D;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The client against this project's server over real loopback sockets: every route, both space kinds. */
class GymHttpServerTest {
  private static GymHttpServer server;
  private static GymHttpClient client;
  private static final OkHttpClient RAW = new OkHttpClient();

  @BeforeAll
  static void start() throws IOException {
    server = GymHttpServer.builder().optPort(0).optThreads(4).start();
    client = new GymHttpClient(server.url());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  /** A raw call, for what the typed client does not expose: exact paths, status and body. */
  static Response raw(String method, String path, String body) throws IOException {
    return raw(server.url(), method, path, body, null);
  }

  static Response raw(String base, String method, String path, String body, String auth) throws IOException {
    Request.Builder b = new Request.Builder().url(base + path)
        .method(method, body == null && !method.equals("POST") ? null
            : RequestBody.create(body == null ? "" : body, MediaType.get("application/json")));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return RAW.newCall(b.build()).execute();
  }

  /**
   * The status of a raw call, with the response closed: an unclosed response leaves its body on
   * the kept-alive connection, where a later call can read it as the start of its status line.
   */
  static int status(String method, String path, String body) throws IOException {
    try (Response r = raw(method, path, body)) {
      return r.code();
    }
  }

  static JsonObject json(Response r) throws IOException {
    try (r) {
      return JsonParser.parseString(r.body().string()).getAsJsonObject();
    }
  }

  @Test
  void when_navigationSteppedOverHttp_expect_exactlyTheInProcessTrajectory() {
    Task task = Navigation2D.goal(0.3, -0.2);
    Environment local = Navigation2D.standard().make(task);
    try (RemoteEnvironment remote = RemoteEnvironment.create(client, "navigation-2d",
        GymHttpClient.CreateOptions.task(task))) {
      assertEquals(Box.of(2, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY), remote.observationSpace());
      assertEquals(Box.of(2, -0.1, 0.1), remote.actionSpace());
      assertEquals("navigation-2d", client.listAll().get(remote.instanceId()));
      assertArrayEquals(local.reset(3), remote.reset(3));
      SplittableRandom rng = new SplittableRandom(5);
      for (int t = 0; t < 40; t++) {
        double[] a = {rng.nextGaussian() * 0.2, rng.nextGaussian() * 0.2};
        StepResult want = local.step(a);
        StepResult got = remote.step(a);
        assertArrayEquals(want.observation(), got.observation());
        assertEquals(want.reward(), got.reward());
        assertEquals(want.terminated(), got.terminated());
        assertEquals(t == 99, got.truncated());
      }
      assertArrayEquals(new int[] {2}, remote.lastObservationShape());
      String id = remote.instanceId();
      remote.close();
      assertFalse(client.listAll().containsKey(id));
      GymHttpException.Rejected e = assertThrows(GymHttpException.Rejected.class, () -> client.reset(id));
      assertEquals(400, e.status());
      assertEquals("Instance_id " + id + " unknown", e.serverMessage());
    }
  }

  @Test
  void when_discreteObservationAndAction_expect_scalarObservationAndIntegerActions() throws IOException {
    String id = client.create("test-chain", GymHttpClient.CreateOptions.task(new Task(Map.of("start", 2.0))));
    try {
      assertEquals(new Discrete(5), client.observationSpace(id));
      assertEquals(new Discrete(2), client.actionSpace(id));
      GymHttpClient.Reset r = client.reset(id, 1L);
      assertArrayEquals(new double[] {2}, r.observation().values());
      assertArrayEquals(new int[0], r.observation().shape());
      assertEquals(new JsonObject(), r.info());
      assertFalse(client.step(id, new Discrete(2), new double[] {1}).done());
      GymHttpClient.Step s = client.step(id, new JsonPrimitive(1));
      assertTrue(s.terminated());
      assertFalse(s.truncated());
      assertEquals(1.0, s.reward());
      for (int i = 0; i < 20; i++) {
        double a = client.sampleAction(id).getAsDouble();
        assertTrue(a == 0 || a == 1, "sampled " + a);
      }
      assertTrue(client.containsAction(id, "1"));
      assertFalse(client.containsAction(id, "2"));
      // The reference paths of sample and contains have no trailing slash; the Gymnasium fork's have one.
      assertEquals(200, status("GET", "/v1/envs/" + id + "/action_space/sample/", null));
      assertTrue(json(raw("GET", "/v1/envs/" + id + "/action_space/contains/0/", null)).get("member").getAsBoolean());
      JsonObject contains = json(raw("POST", "/v1/envs/" + id + "/observation_space/contains",
          "{\"name\":\"Discrete\",\"n\":5}"));
      assertTrue(contains.get("member").getAsBoolean());
      assertEquals(400, status("GET", "/v1/envs/" + id + "/action_space/contains/abc", null));
    } finally {
      client.close(id);
    }
  }

  @Test
  void when_observationIsTwoDimensional_expect_nestedListsFlattenedWithShapeKept() throws IOException {
    try (RemoteEnvironment env = RemoteEnvironment.create(client, "test-grid", GymHttpClient.CreateOptions.none())) {
      assertEquals(TestEnvs.Grid.OBS, env.observationSpace());
      double[] first = env.reset(9);
      assertArrayEquals(new int[] {2, 3}, env.lastObservationShape());
      assertEquals(new SplittableRandom(9).nextDouble() - 0.5, first[5]);
      StepResult r = env.step(new double[] {2});
      assertArrayEquals(new double[] {0, 0, 1, 0, 0, first[5] + 0.5}, r.observation());
      JsonObject step = json(raw("POST", "/v1/envs/" + env.instanceId() + "/step/", "{\"action\": 0}"));
      assertEquals("[[1.0,0.0,1.0],[0.5,0.0," + (first[5] + 0.5) + "]]", step.get("observation").toString());
      JsonObject space = json(raw("GET", "/v1/envs/" + env.instanceId() + "/observation_space/", null));
      assertEquals("{\"name\":\"Box\",\"shape\":[2,3],\"low\":[0.0,0.0,0.0,0.0,0.0,-1.0E100],"
          + "\"high\":[100.0,100.0,100.0,100.0,100.0,1.0E100]}", space.get("info").toString());
    }
  }

  @Test
  void when_timeLimitReached_expect_truncatedInBothDialectsAndNotTerminal() throws IOException {
    String id = client.create("navigation-2d", new GymHttpClient.CreateOptions(1L, 3, Navigation2D.goal(0.4, 0.4)));
    try {
      JsonObject reset = json(raw("POST", "/v1/envs/" + id + "/reset/", null));
      assertEquals("[0.0,0.0]", reset.get("observation").toString());
      assertEquals(new JsonObject(), reset.get("info"));
      JsonObject step = null;
      for (int t = 0; t < 3; t++) {
        step = json(raw("POST", "/v1/envs/" + id + "/step/", "{\"action\": [0.01, 0.02], \"render\": false}"));
        assertEquals(t == 2, step.get("done").getAsBoolean());
        assertEquals(t == 2, step.get("truncated").getAsBoolean());
        assertFalse(step.get("terminated").getAsBoolean());
      }
      assertTrue(step.getAsJsonObject("info").get("TimeLimit.truncated").getAsBoolean());
      client.reset(id);
      assertFalse(client.step(id, Box.of(2, -0.1, 0.1), new double[] {0, 0}).done());
    } finally {
      client.close(id);
    }
  }

  @Test
  void when_noKwargs_expect_defaultTaskDrawnWithTheCreateSeed() {
    String a = client.create("navigation-2d", new GymHttpClient.CreateOptions(42L, null, null));
    String b = client.create("navigation-2d", new GymHttpClient.CreateOptions(42L, null, null));
    String c = client.create("navigation-2d", new GymHttpClient.CreateOptions(43L, null, null));
    try {
      Box act = Box.of(2, -0.1, 0.1);
      client.reset(a);
      client.reset(b);
      client.reset(c);
      double ra = client.step(a, act, new double[] {0, 0}).reward();
      assertEquals(ra, client.step(b, act, new double[] {0, 0}).reward());
      assertTrue(ra != client.step(c, act, new double[] {0, 0}).reward());
      GymHttpException.Rejected e = assertThrows(GymHttpException.Rejected.class, () -> client.create("navigation-2d",
          GymHttpClient.CreateOptions.task(new Task(Map.of("gaol", List.of(0.1, 0.1))))));
      assertEquals("kwargs 'gaol' is not a task parameter of navigation-2d (its parameters: goal)", e.serverMessage());
      e = assertThrows(GymHttpException.Rejected.class, () -> client.create("no-such-env"));
      assertTrue(e.serverMessage().startsWith("Attempted to look up malformed environment ID 'no-such-env'"),
          e.serverMessage());
    } finally {
      client.close(a);
      client.close(b);
      client.close(c);
    }
  }

  @Test
  void when_batchedRoutes_expect_sameResultsAsPlainRoutes() {
    assertTrue(client.supportsBatch());
    SplittableRandom rng = new SplittableRandom(3);
    List<Task> tasks = Navigation2D.standard().sample(5, rng);
    List<GymHttpClient.CreateOptions> opts = tasks.stream().map(GymHttpClient.CreateOptions::task).toList();
    try (RemoteVectorEnvironment batched = RemoteVectorEnvironment.create(client, "navigation-2d", opts);
        var plain = RemoteVectorEnvironment.open(client, "navigation-2d", opts, false)) {
      assertEquals(5, batched.size());
      assertEquals(Box.of(2, -0.1, 0.1), batched.actionSpace());
      long[] seeds = {1, 2, 3, 4, 5};
      assertArrayEquals(plain.reset(seeds), batched.reset(seeds));
      boolean[] active = {true, false, true, true, false};
      for (int t = 0; t < 10; t++) {
        double[][] actions = new double[5][];
        for (int i = 0; i < 5; i++) {
          actions[i] = new double[] {rng.nextGaussian(), rng.nextGaussian()};
        }
        StepResult[] p = plain.step(actions, active);
        StepResult[] b = batched.step(actions, active);
        for (int i = 0; i < 5; i++) {
          if (active[i]) {
            assertArrayEquals(p[i].observation(), b[i].observation());
            assertEquals(p[i].reward(), b[i].reward());
            assertEquals(p[i].terminated(), b[i].terminated());
          } else {
            assertEquals(null, b[i]);
          }
        }
      }
      List<String> ids = batched.instanceIds();
      // A bad action anywhere refuses the whole batch before any instance moves.
      double[] before = client.reset(ids.get(0), 1L).observation().values();
      GymHttpException.Rejected e = assertThrows(GymHttpException.Rejected.class, () -> client.stepBatch(ids,
          Box.of(3, -1, 1), new double[][] {{0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}, {0, 0, 0}}));
      assertTrue(e.serverMessage().contains("action must be a list of shape [2]"), e.serverMessage());
      assertArrayEquals(before, client.stepBatch(List.of(ids.get(0)), batched.actionSpace(),
          new double[][] {{0, 0}})[0].observation());
      e = assertThrows(GymHttpException.Rejected.class, () -> client.resetBatch(List.of(ids.get(0), ids.get(0)),
          new long[] {1, 2}));
      assertTrue(e.serverMessage().contains("twice"), e.serverMessage());
    }
    assertTrue(client.listAll().isEmpty(), "batched close left " + client.listAll());
  }

  @Test
  void when_pathsAreNotExact_expect_404JsonAndWrongMethod405() throws IOException {
    try (Response r = raw("POST", "/v1/envs", "{\"env_id\": \"navigation-2d\"}")) {
      assertEquals(404, r.code());
      assertTrue(r.body().string().startsWith("{\"message\":\"no route POST /v1/envs"));
    }
    try (Response r = raw("DELETE", "/v1/envs/", null)) {
      assertEquals(405, r.code());
    }
    String id = client.create("navigation-2d");
    try {
      assertEquals(404, status("POST", "/v1/envs/" + id + "/reset", "{}"));
      assertEquals(200, status("POST", "/v1/envs/" + id + "/reset/", "null"));
      assertEquals("navigation-2d", json(raw("GET", "/v1/envs/" + id + "/", null)).get("id").getAsString());
    } finally {
      client.close(id);
    }
    // The Gymnasium fork closes with DELETE /v1/envs/{id}/.
    String other = client.create("navigation-2d");
    assertEquals(200, status("DELETE", "/v1/envs/" + other + "/", null));
    assertFalse(client.listAll().containsKey(other));
  }

  @Test
  void when_tokenRequired_expect_401WithoutItAndServiceWithIt() throws IOException {
    try (GymHttpServer secured = GymHttpServer.builder().optPort(0).optToken("s3cret").start()) {
      try (Response r = raw(secured.url(), "GET", "/v1/envs/", null, null)) {
        assertEquals(401, r.code());
        assertTrue(r.body().string().contains("Authorization: Bearer"));
      }
      try (Response r = raw(secured.url(), "GET", "/v1/envs/", null, "Bearer wrong")) {
        assertEquals(401, r.code());
      }
      GymHttpClient anonymous = new GymHttpClient(secured.url());
      assertEquals(401, assertThrows(GymHttpException.Rejected.class, () -> anonymous.create("navigation-2d")).status());
      GymHttpClient c = GymHttpClient.builder(secured.url()).optToken("s3cret").build();
      String id = c.create("navigation-2d");
      assertEquals(Map.of(id, "navigation-2d"), c.listAll());
    }
  }

  @Test
  void when_instanceLimitReached_expect_429UntilOneIsClosed() throws IOException {
    try (GymHttpServer small = GymHttpServer.builder().optPort(0).optMaxInstances(3).start()) {
      GymHttpClient c = new GymHttpClient(small.url());
      String a = c.create("navigation-2d");
      c.create("navigation-2d");
      GymHttpException.Rejected e = assertThrows(GymHttpException.Rejected.class,
          () -> c.createBatch("navigation-2d", List.of(GymHttpClient.CreateOptions.none(),
              GymHttpClient.CreateOptions.none())));
      assertEquals(429, e.status());
      c.create("navigation-2d");
      assertEquals(429, assertThrows(GymHttpException.Rejected.class, () -> c.create("navigation-2d")).status());
      c.close(a);
      c.create("navigation-2d");
      assertEquals(3, small.liveInstances());
    }
  }

  @Test
  void when_instanceIdle_expect_expiredWithAClearMessage() throws Exception {
    try (GymHttpServer fast = GymHttpServer.builder().optPort(0).optIdleTimeout(Duration.ofMillis(150)).start()) {
      GymHttpClient c = new GymHttpClient(fast.url());
      String id = c.create("navigation-2d");
      c.reset(id);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (fast.liveInstances() > 0 && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      GymHttpException.Rejected e = assertThrows(GymHttpException.Rejected.class, () -> c.reset(id));
      assertEquals("Instance_id " + id + " unknown (closed by the server after 150 ms idle)", e.serverMessage());
    }
  }

  @Test
  void when_shutdownRequested_expect_200AndServerStops() throws Exception {
    GymHttpServer s = GymHttpServer.builder().optPort(0).start();
    GymHttpClient c = new GymHttpClient(s.url());
    c.create("navigation-2d");
    try (Response r = raw(s.url(), "POST", "/v1/shutdown/", null, null)) {
      assertEquals(200, r.code());
      assertEquals("Server shutting down", r.body().string());
    }
    s.awaitStop();
    assertEquals(0, s.liveInstances());
    assertThrows(GymHttpException.Unreachable.class, () -> GymHttpClient.builder(s.url()).optRetries(0).build()
        .listAll());
  }
}
