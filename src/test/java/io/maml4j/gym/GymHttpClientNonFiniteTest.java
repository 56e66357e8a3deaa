package io.maml4j.gym;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.env.Box;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A server that replies with non-finite numbers (Python's json writes NaN and Infinity) or with
 * something unparseable: one error naming the server, the route and the instance.
 */
class GymHttpClientNonFiniteTest {
  private static final Box ACTIONS = Box.of(2, -1, 1);
  private MockWebServer web;
  private GymHttpClient client;

  @BeforeEach
  void start() throws IOException {
    web = new MockWebServer();
    web.start();
    client = GymHttpClient.builder(web.url("/").toString()).optTimeout(Duration.ofMillis(500)).optRetries(0).build();
  }

  @AfterEach
  void stop() {
    web.close();
  }

  private void reply(String body) {
    web.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Type", "application/json").body(body).build());
  }

  private String stepError(String body) {
    reply(body);
    return assertThrows(GymHttpException.BadReply.class, () -> client.step("0000abcd", ACTIONS, new double[] {0, 0}))
        .getMessage();
  }

  private void assertNames(String message, String route, String what) {
    assertTrue(message.startsWith("POST " + web.url("/") + route), message);
    assertTrue(message.contains(what), message);
  }

  @Test
  void when_stepReplyHoldsNonFiniteNumbers_expect_badReplyNamingServerRouteInstanceAndField() {
    assertNames(stepError("{\"observation\": [0.5, 0.1], \"reward\": NaN, \"done\": false}"), "v1/envs/0000abcd/step/",
        "reward is NaN, not a finite number");
    assertNames(stepError("{\"observation\": [0.5, 0.1], \"reward\": -Infinity, \"done\": false}"),
        "v1/envs/0000abcd/step/", "reward is -Infinity, not a finite number");
    assertNames(stepError("{\"observation\": [0.5, 1e309], \"reward\": 0, \"done\": false}"), "v1/envs/0000abcd/step/",
        "observation entry 1 is Infinity, not a finite number");
    assertNames(stepError("{\"observation\": [\"NaN\", 0], \"reward\": 0, \"done\": false}"), "v1/envs/0000abcd/step/",
        "observation entry 0 is NaN");
    assertNames(stepError("{\"observation\": [0, 0], \"reward\": 0, \"done\": false"), "v1/envs/0000abcd/step/",
        "malformed JSON");
  }

  @Test
  void when_resetReplyHoldsNaN_expect_badReplyNamingTheInstance() {
    reply("{\"observation\": [NaN, 0.0], \"info\": {}}");
    String m = assertThrows(GymHttpException.BadReply.class, () -> client.reset("0000abcd", 1L)).getMessage();
    assertNames(m, "v1/envs/0000abcd/reset/", "observation entry 0 is NaN");
  }

  @Test
  void when_batchedReplyHoldsNaN_expect_badReplyNamingTheInstanceInTheBatch() {
    reply("{\"observations\": [[0, 0], [0, 0]], \"rewards\": [0.5, NaN], \"terminated\": [false, false], "
        + "\"truncated\": [false, false], \"done\": [false, false]}");
    String m = assertThrows(GymHttpException.BadReply.class, () -> client.stepBatch(List.of("aaaa0001", "aaaa0002"),
        ACTIONS, new double[][] {{0, 0}, {0, 0}})).getMessage();
    assertNames(m, "v1/batch/step/", "rewards[1] (instance aaaa0002) is NaN");
    reply("{\"observations\": [[0, 0], [Infinity, 0]]}");
    m = assertThrows(GymHttpException.BadReply.class, () -> client.resetBatch(List.of("aaaa0001", "aaaa0002"),
        new long[] {1, 2})).getMessage();
    assertNames(m, "v1/batch/reset/", "observations[1] (instance aaaa0002): observation entry 0 is Infinity");
  }
}
