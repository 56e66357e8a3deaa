package io.maml4j.gym;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.env.Task;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client's reading of both dialects, its exact paths and its error paths, against canned replies. */
class GymHttpClientTest {
  private MockWebServer web;
  private GymHttpClient client;

  @BeforeEach
  void start() throws IOException {
    web = new MockWebServer();
    web.start();
    client = GymHttpClient.builder(web.url("/").toString()).optTimeout(Duration.ofMillis(500)).build();
  }

  @AfterEach
  void stop() {
    web.close();
  }

  private void reply(int code, String body) {
    web.enqueue(new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json").body(body).build());
  }

  private RecordedRequest taken() throws InterruptedException {
    return web.takeRequest(1, TimeUnit.SECONDS);
  }

  @Test
  void when_gymDialect_expect_doneSplitByTimeLimitMarker() throws Exception {
    reply(200, "{\"observation\": [0.5, -0.25], \"reward\": 1.5, \"done\": true, \"info\": {}}");
    reply(200, "{\"observation\": [0.5, -0.25], \"reward\": 0, \"done\": true, \"info\": {\"TimeLimit.truncated\": true}}");
    reply(200, "{\"observation\": 3, \"reward\": 0.0, \"done\": false, \"info\": {}}");
    GymHttpClient.Step terminal = client.step("abc", Box.of(2, -1, 1), new double[] {0.25, 1});
    assertTrue(terminal.terminated());
    assertFalse(terminal.truncated());
    assertEquals(1.5, terminal.reward());
    assertArrayEquals(new double[] {0.5, -0.25}, terminal.observation().values());
    RecordedRequest r = taken();
    assertEquals("POST", r.getMethod());
    assertEquals("/v1/envs/abc/step/", r.getTarget());
    assertEquals("{\"action\":[0.25,1.0],\"render\":false}", r.getBody().utf8());
    GymHttpClient.Step cut = client.step("abc", Box.of(2, -1, 1), new double[] {0, 0});
    assertFalse(cut.terminated());
    assertTrue(cut.truncated());
    assertTrue(cut.done());
    GymHttpClient.Step scalar = client.step("abc", new Discrete(4), new double[] {2});
    assertArrayEquals(new double[] {3}, scalar.observation().values());
    assertArrayEquals(new int[0], scalar.observation().shape());
    taken();
    assertEquals("{\"action\":2,\"render\":false}", taken().getBody().utf8());
  }

  @Test
  void when_gymnasiumDialect_expect_terminatedAndTruncatedTakenAsSent() throws Exception {
    reply(200, "{\"observation\": [[1, 2], [3, 4]], \"info\": {\"k\": 1}}");
    reply(200, "{\"observation\": [[1, 2], [3, 4]], \"reward\": 0.5, \"terminated\": false, \"truncated\": true,"
        + " \"info\": {}}");
    GymHttpClient.Reset reset = client.reset("abc", 7L);
    assertArrayEquals(new double[] {1, 2, 3, 4}, reset.observation().values());
    assertArrayEquals(new int[] {2, 2}, reset.observation().shape());
    assertEquals(1, reset.info().get("k").getAsInt());
    RecordedRequest r = taken();
    assertEquals("/v1/envs/abc/reset/", r.getTarget());
    assertEquals("{\"seed\":7}", r.getBody().utf8());
    GymHttpClient.Step s = client.step("abc", new Discrete(2), new double[] {1});
    assertFalse(s.terminated());
    assertTrue(s.truncated());
  }

  @Test
  void when_newestGymnasiumForkPacksObservations_expect_themUnpackedFlat() throws Exception {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putDouble(0.5).putDouble(-1.25).putDouble(3);
    java.io.ByteArrayOutputStream z = new java.io.ByteArrayOutputStream();
    try (java.util.zip.DeflaterOutputStream d = new java.util.zip.DeflaterOutputStream(z)) {
      d.write(b.array());
    }
    String data = java.util.Base64.getEncoder().encodeToString(z.toByteArray());
    reply(200, "{\"observation\": {\"type\": \"float64\", \"data\": \"" + data + "\"}}");
    reply(200, "{\"observation\": {\"type\": \"complex128\", \"data\": \"" + data + "\"}}");
    Observation o = client.reset("abc").observation();
    assertArrayEquals(new double[] {0.5, -1.25, 3}, o.values());
    assertArrayEquals(new int[] {3}, o.shape());
    assertTrue(assertThrows(GymHttpException.BadReply.class, () -> client.reset("abc")).getMessage()
        .contains("unsupported type 'complex128'"));
  }

  @Test
  void when_createWithOptions_expect_gymnasiumForkFieldsAndExactPath() throws Exception {
    reply(200, "{\"instance_id\": \"3c657dbc\"}");
    Task task = new Task(Map.of("goal", new double[] {0.1, -0.2}));
    assertEquals("3c657dbc", client.create("navigation-2d", new GymHttpClient.CreateOptions(5L, 100, task)));
    RecordedRequest r = taken();
    assertEquals("/v1/envs/", r.getTarget());
    assertEquals("{\"env_id\":\"navigation-2d\",\"seed\":5,\"max_episode_steps\":100,\"kwargs\":{\"goal\":[0.1,-0.2]}}",
        r.getBody().utf8());
    reply(200, "{\"instance_id\": \"00000001\"}");
    client.create("CartPole-v1");
    assertEquals("{\"env_id\":\"CartPole-v1\"}", taken().getBody().utf8());
  }

  @Test
  void when_spacesComeFromForks_expect_stringsAndHugeBoundsDecoded() throws Exception {
    reply(200, "{\"info\": {\"name\": \"Box\", \"shape\": [\"2\"], \"low\": [\"-1e100\", \"-1.0\"],"
        + " \"high\": [\"+1e100\", \"1.0\"]}}");
    reply(200, "{\"info\": {\"name\": \"Box\", \"shape\": [1], \"low\": [-1.7976931348623157e308],"
        + " \"high\": [1.7976931348623157e308]}}");
    reply(200, "{\"info\": {\"name\": \"Discrete\", \"n\": \"16\"}}");
    reply(200, "{\"info\": {\"name\": \"MultiBinary\", \"n\": 4}}");
    assertEquals(new Box(new int[] {2}, new double[] {Double.NEGATIVE_INFINITY, -1},
        new double[] {Double.POSITIVE_INFINITY, 1}), client.observationSpace("a"));
    assertEquals("/v1/envs/a/observation_space/", taken().getTarget());
    assertEquals(Box.of(1, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY), client.actionSpace("a"));
    assertEquals("/v1/envs/a/action_space/", taken().getTarget());
    assertEquals(new Discrete(16), client.actionSpace("a"));
    GymHttpException.BadReply e = assertThrows(GymHttpException.BadReply.class, () -> client.actionSpace("a"));
    assertTrue(e.getMessage().contains("unsupported space 'MultiBinary'"), e.getMessage());
  }

  @Test
  void when_otherRoutes_expect_referencePathsAndFields() throws Exception {
    reply(200, "{\"all_envs\": {\"3c657dbc\": \"CartPole-v0\"}}");
    reply(200, "{\"action\": 1}");
    reply(200, "{\"member\": true}");
    reply(204, "");
    reply(200, "Server shutting down");
    assertEquals(Map.of("3c657dbc", "CartPole-v0"), client.listAll());
    RecordedRequest first = taken();
    assertEquals("GET /v1/envs/", requestLine(first));
    assertEquals(1, client.sampleAction("x y").getAsInt());
    assertEquals("GET /v1/envs/x%20y/action_space/sample", requestLine(taken()));
    assertTrue(client.containsAction("x", "1"));
    assertEquals("GET /v1/envs/x/action_space/contains/1", requestLine(taken()));
    client.close("x");
    assertEquals("POST /v1/envs/x/close/", requestLine(taken()));
    client.shutdown();
    RecordedRequest last = taken();
    assertEquals("POST /v1/shutdown/", requestLine(last));
    // One pooled keep-alive connection carried all five calls.
    assertEquals(first.getConnectionIndex(), last.getConnectionIndex());
    assertEquals(first.getExchangeIndex() + 4, last.getExchangeIndex());
  }

  private static String requestLine(RecordedRequest r) {
    return r.getMethod() + " " + r.getTarget();
  }

  @Test
  void when_closeRouteUnknown_expect_gymnasiumForkDelete() throws Exception {
    web.enqueue(new MockResponse.Builder().code(404).body("<html><title>404 Not Found</title></html>").build());
    reply(200, "");
    client.close("abc");
    assertEquals("POST /v1/envs/abc/close/", requestLine(taken()));
    assertEquals("DELETE /v1/envs/abc/", requestLine(taken()));
  }

  @Test
  void when_server400Json_expect_rejectedWithMessageAndStatus() {
    reply(400, "{\"message\": \"Instance_id abc unknown\"}");
    GymHttpException.Rejected e = assertThrows(GymHttpException.Rejected.class, () -> client.reset("abc"));
    assertEquals(400, e.status());
    assertEquals("Instance_id abc unknown", e.serverMessage());
    assertEquals("POST " + web.url("/v1/envs/abc/reset/") + ": 400 Instance_id abc unknown", e.getMessage());
  }

  @Test
  void when_server500Html_expect_serverFailureWithTrimmedPage() {
    web.enqueue(new MockResponse.Builder().code(500).setHeader("Content-Type", "text/html")
        .body("<!doctype html>\n<html lang=en>\n<title>500 Internal Server Error</title>\n<h1>Internal Server "
            + "Error</h1>\n<p>The server encountered an internal error and was unable to complete your request.</p>\n")
        .build());
    GymHttpException.ServerFailure e = assertThrows(GymHttpException.ServerFailure.class,
        () -> client.step("abc", new Discrete(2), new double[] {0}));
    assertEquals(500, e.status());
    assertEquals("500 Internal Server Error Internal Server Error The server encountered an internal error and was "
        + "unable to complete your request.", e.body());
    assertEquals(1, web.getRequestCount());
  }

  @Test
  void when_connectionRefused_expect_unreachableNamingTheUrl() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    GymHttpClient c = GymHttpClient.builder("http://127.0.0.1:" + port).optRetries(1).build();
    GymHttpException.Unreachable e = assertThrows(GymHttpException.Unreachable.class, () -> c.create("x"));
    assertEquals("POST http://127.0.0.1:" + port + "/v1/envs/: cannot reach the server (connection refused)",
        e.getMessage());
    assertEquals("http://127.0.0.1:" + port + "/v1/envs/", e.url());
  }

  @Test
  void when_noReplyInTime_expect_timedOutNamingTheUrl() {
    web.enqueue(new MockResponse.Builder().headersDelay(3, TimeUnit.SECONDS).body("{}").build());
    GymHttpException.TimedOut e = assertThrows(GymHttpException.TimedOut.class,
        () -> client.step("abc", new Discrete(2), new double[] {0}));
    assertEquals("POST " + web.url("/v1/envs/abc/step/") + ": no reply within 500 ms", e.getMessage());
  }

  @Test
  void when_connectionDropsMidStep_expect_noRetry() {
    web.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    reply(200, "{\"observation\": 0, \"reward\": 0, \"done\": false, \"info\": {}}");
    assertThrows(GymHttpException.Unreachable.class, () -> client.step("abc", new Discrete(2), new double[] {0}));
    assertEquals(1, web.getRequestCount());
  }

  @Test
  void when_connectionDropsOrServerUnavailableOnCreateOrReset_expect_retried() throws Exception {
    web.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    reply(200, "{\"instance_id\": \"abc\"}");
    assertEquals("abc", client.create("x"));
    assertEquals(2, web.getRequestCount());
    reply(503, "<html>busy</html>");
    reply(200, "{\"observation\": [1.0]}");
    assertArrayEquals(new double[] {1}, client.reset("abc").observation().values());
    assertEquals(4, web.getRequestCount());
    reply(503, "busy");
    assertEquals(503, assertThrows(GymHttpException.ServerFailure.class,
        () -> client.step("abc", new Discrete(2), new double[] {1})).status());
    assertEquals(5, web.getRequestCount());
  }

  @Test
  void when_replyIsMalformed_expect_badReply() {
    reply(200, "{\"observation\": [1, [2]], \"reward\": 0, \"done\": false}");
    reply(200, "{\"observation\": [1, 2], \"done\": false}");
    reply(200, "not json");
    assertTrue(assertThrows(GymHttpException.BadReply.class, () -> client.step("a", new Discrete(2), new double[] {0}))
        .getMessage().contains("ragged"));
    assertTrue(assertThrows(GymHttpException.BadReply.class, () -> client.step("a", new Discrete(2), new double[] {0}))
        .getMessage().contains("no 'reward' field"));
    assertThrows(GymHttpException.BadReply.class, () -> client.create("x"));
  }

  @Test
  void when_stockServerHasNoBatchRoute_expect_noBatchAndPlainFallback() throws Exception {
    web.enqueue(new MockResponse.Builder().code(404).body("<html><h1>Not Found</h1></html>").build());
    reply(200, "{\"instance_id\": \"i0\"}");
    reply(200, "{\"info\": {\"name\": \"Discrete\", \"n\": 3}}");
    reply(200, "{\"info\": {\"name\": \"Discrete\", \"n\": 2}}");
    reply(200, "{\"instance_id\": \"i1\"}");
    var venv = RemoteVectorEnvironment.open(client, "Chain-v0",
        List.of(GymHttpClient.CreateOptions.none(), GymHttpClient.CreateOptions.none()), true);
    assertFalse(venv instanceof RemoteVectorEnvironment);
    assertEquals(new Discrete(2), venv.actionSpace());
    assertEquals("GET /v1/batch/", requestLine(taken()));
    assertFalse(client.supportsBatch());
    assertEquals(5, web.getRequestCount());
  }

  @Test
  void when_actionIsNotFinite_expect_refusedBeforeSending() {
    assertThrows(IllegalArgumentException.class, () -> client.step("a", Box.of(2, -1, 1), new double[] {0, Double.NaN}));
    assertThrows(IllegalArgumentException.class, () -> client.step("a", Box.of(2, -1, 1), new double[] {0}));
    assertEquals(0, web.getRequestCount());
  }

  @Test
  void when_baseUrlHasAPath_expect_routesBelowIt() {
    assertEquals("http://h:1/gym/v1/envs/", GymHttpClient.builder("http://h:1/gym").build().url(true, "v1", "envs")
        .toString());
    assertEquals("http://h:1/gym/v1/envs/a/action_space/sample", GymHttpClient.builder("http://h:1/gym/").build()
        .url(false, "v1", "envs", "a", "action_space", "sample").toString());
    assertThrows(IllegalArgumentException.class, () -> GymHttpClient.builder("localhost:5000"));
  }
}
