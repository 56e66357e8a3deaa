package io.maml4j.gym;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import io.maml4j.config.Fields;
import io.maml4j.env.Box;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.envs.Navigation2D;
import java.io.IOException;
import java.io.StringReader;
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

/**
 * Protocol edges over real loopback sockets: steps after the episode ended, kwargs out of the
 * task's ranges, environments that produce non-finite numbers, and served spaces that differ
 * from the local tasks' environment.
 */
class GymHttpProtocolEdgesTest {
  private static final OkHttpClient RAW = new OkHttpClient();
  private static GymHttpServer server;
  private static GymHttpClient client;

  /** Navigation whose reward turns NaN at step 2 and whose observation turns infinite at step 3 of a reset with seed 3. */
  static final class Faulty implements TaskDistribution {
    private final Navigation2D base = Navigation2D.standard();

    @Override
    public String name() {
      return "test-faulty";
    }

    @Override
    public Task sample(SplittableRandom rng) {
      return base.sample(rng);
    }

    @Override
    public Environment make(Task task) {
      Environment inner = base.make(task);
      return new Environment() {
        int t;
        long seed;

        @Override
        public Space observationSpace() {
          return inner.observationSpace();
        }

        @Override
        public Space actionSpace() {
          return inner.actionSpace();
        }

        @Override
        public double[] reset(long s) {
          t = 0;
          seed = s;
          return inner.reset(s);
        }

        @Override
        public StepResult step(double[] action) {
          StepResult r = inner.step(action);
          t++;
          if (seed == 3 && t == 3) {
            return new StepResult(new double[] {Double.POSITIVE_INFINITY, 0}, r.reward(), false, false);
          }
          return t == 2 && seed != 3 ? new StepResult(r.observation(), Double.NaN, false, false) : r;
        }
      };
    }

    @Override
    public Space observationSpace() {
      return base.observationSpace();
    }

    @Override
    public Space actionSpace() {
      return base.actionSpace();
    }

    @Override
    public int horizon() {
      return 100;
    }
  }

  /** Navigation with a third, always-zero observation entry: tasks like navigation-2d's, spaces not. */
  static class Wide implements TaskDistribution {
    private final Navigation2D base = Navigation2D.standard();

    @Override
    public String name() {
      return "test-wide";
    }

    @Override
    public Task sample(SplittableRandom rng) {
      return base.sample(rng);
    }

    @Override
    public Environment make(Task task) {
      Environment inner = base.make(task);
      return new Environment() {
        @Override
        public Space observationSpace() {
          return Wide.this.observationSpace();
        }

        @Override
        public Space actionSpace() {
          return inner.actionSpace();
        }

        @Override
        public double[] reset(long seed) {
          double[] o = inner.reset(seed);
          return new double[] {o[0], o[1], 0};
        }

        @Override
        public StepResult step(double[] action) {
          StepResult r = inner.step(action);
          double[] o = r.observation();
          return new StepResult(new double[] {o[0], o[1], 0}, r.reward(), r.terminated(), r.truncated());
        }
      };
    }

    @Override
    public Space observationSpace() {
      return Box.of(3, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    }

    @Override
    public Space actionSpace() {
      return base.actionSpace();
    }

    @Override
    public int horizon() {
      return 100;
    }
  }

  @BeforeAll
  static void start() throws IOException {
    server = GymHttpServer.builder().optPort(0).optThreads(4).optEnvironment("test-faulty", new Faulty())
        .optEnvironment("test-wide", new Wide()).start();
    client = new GymHttpClient(server.url());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Response raw(String method, String path, String body) throws IOException {
    return RAW.newCall(new Request.Builder().url(server.url() + path).method(method, body == null ? null
        : RequestBody.create(body, MediaType.get("application/json"))).build()).execute();
  }

  /** Status and body, the body parsed strictly: a NaN or Infinity in it fails the test. */
  private static JsonObject strictJson(Response r, int status) throws IOException {
    try (r) {
      String body = r.body().string();
      assertEquals(status, r.code(), body);
      JsonReader reader = new JsonReader(new StringReader(body));
      reader.setStrictness(Strictness.STRICT);
      return JsonParser.parseReader(reader).getAsJsonObject();
    }
  }

  /** Steps an episode to its end with the server's sampled actions; returns the instance id. */
  private static String finishEpisode(String envId, Integer maxSteps) {
    String id = client.create(envId, new GymHttpClient.CreateOptions(7L, maxSteps, null));
    client.reset(id, 1L);
    for (int t = 0; t < 1000; t++) {
      if (client.step(id, client.sampleAction(id)).done()) {
        return id;
      }
    }
    throw new AssertionError(envId + " never ended an episode");
  }

  @Test
  void when_stepAfterTheEpisodeEnded_expect_400JsonForEveryBuiltInEnvironment() throws IOException {
    // bandit, tabular-mdp and sinusoid threw IllegalStateException (500) here; navigation went on past its time limit.
    for (String envId : List.of("bandit", "tabular-mdp", "sinusoid", "navigation-2d", "test-chain")) {
      Integer maxSteps = envId.equals("navigation-2d") ? 3 : null;
      String id = finishEpisode(envId, maxSteps);
      String action = client.sampleAction(id).toString();
      JsonObject refused = strictJson(raw("POST", "/v1/envs/" + id + "/step/", "{\"action\": " + action + "}"), 400);
      String message = refused.get("message").getAsString();
      assertTrue(message.startsWith("Instance_id " + id + ": the episode ") && message.contains("call env.reset()"),
          envId + ": " + message);
      GymHttpException.Rejected batched = assertThrows(GymHttpException.Rejected.class,
          () -> client.stepBatch(List.of(id), client.actionSpace(id), new double[][] {sampleFlat(id)}));
      assertEquals(400, batched.status(), envId);
      client.reset(id, 2L);
      client.step(id, client.sampleAction(id));
      client.close(id);
    }
  }

  private static double[] sampleFlat(String id) {
    com.google.gson.JsonElement a = client.sampleAction(id);
    if (a.isJsonArray()) {
      double[] out = new double[a.getAsJsonArray().size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = a.getAsJsonArray().get(i).getAsDouble();
      }
      return out;
    }
    return new double[] {a.getAsDouble()};
  }

  @Test
  void when_kwargsNotFiniteOrOutOfRange_expect_400NamingTheField() throws IOException {
    Object[][] cases = {
        {"navigation-2d", "{\"goal\": [1e309, 0]}", "kwargs 'goal' must hold finite numbers"},
        {"navigation-2d", "{\"goal\": [0.9, 0]}", "kwargs 'goal' of navigation-2d must be a list of 2 numbers in [-0.5, 0.5]"},
        {"navigation-2d", "{\"goal\": [0.1]}", "kwargs 'goal' of navigation-2d must be a list of 2 numbers"},
        {"bandit", "{\"means\": [0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1.5]}", "kwargs 'means' of bandit must be"},
        {"sinusoid", "{\"amplitude\": 1e309}", "kwargs 'amplitude' must hold finite numbers"},
        {"sinusoid", "{\"amplitude\": 50}", "kwargs 'amplitude' of sinusoid must be a number in [0.1, 5.0]"},
        {"tabular-mdp", "{\"rewards_mean\": [" + "1e400, ".repeat(49) + "0]}", "kwargs 'rewards_mean' must hold finite"},
    };
    for (Object[] c : cases) {
      String body = "{\"env_id\": \"" + c[0] + "\", \"kwargs\": " + c[1] + "}";
      String message = strictJson(raw("POST", "/v1/envs/", body), 400).get("message").getAsString();
      assertTrue(message.startsWith((String) c[2]), c[1] + " -> " + message);
      String batch = "{\"env_id\": \"" + c[0] + "\", \"kwargs\": [{}, " + c[1] + "]}";
      message = strictJson(raw("POST", "/v1/batch/create/", batch), 400).get("message").getAsString();
      assertTrue(message.startsWith("instance 1: " + c[2]), c[1] + " -> " + message);
    }
    assertEquals(0, server.liveInstances(), "a refused create left instances");
    // In range, it is a task like any other.
    String id = client.create("navigation-2d", GymHttpClient.CreateOptions.task(Navigation2D.goal(0.5, -0.5)));
    client.close(id);
  }

  @Test
  void when_environmentProducesNonFiniteNumbers_expect_500JsonNamingInstanceAndStep() throws IOException {
    String id = client.create("test-faulty", new GymHttpClient.CreateOptions(1L, null, null));
    try {
      client.reset(id, 1L);
      String step = "{\"action\": [0.01, 0.01]}";
      strictJson(raw("POST", "/v1/envs/" + id + "/step/", step), 200);
      String message = strictJson(raw("POST", "/v1/envs/" + id + "/step/", step), 500).get("message").getAsString();
      assertTrue(message.startsWith("instance " + id + " of test-faulty (task {goal=") && message.contains(
          "step 2 gave a non-finite reward (NaN)"), message);
      // The episode is over: the next step is refused as after any end.
      assertTrue(strictJson(raw("POST", "/v1/envs/" + id + "/step/", step), 400).get("message").getAsString()
          .contains("on a non-finite reward; call env.reset()"));
      client.reset(id, 3L);
      String batch = "{\"instance_ids\": [\"" + id + "\"], \"actions\": [[0.01, 0.01]]}";
      strictJson(raw("POST", "/v1/batch/step/", batch), 200);
      strictJson(raw("POST", "/v1/batch/step/", batch), 200);
      message = strictJson(raw("POST", "/v1/batch/step/", batch), 500).get("message").getAsString();
      assertTrue(message.contains("instance " + id) && message.contains("step 3 gave a non-finite observation"),
          message);
    } finally {
      client.close(id);
    }
  }

  @Test
  void when_servedSpacesDifferFromTheLocalTasks_expect_oneErrorNamingServerEnvAndBothSpaces() {
    RemoteTaskDistribution d = (RemoteTaskDistribution) EnvRegistry.standard().create(Fields.parse("remote.json",
        "{\"env\": \"gym-http\", \"url\": \"" + server.url() + "\", \"env_id\": \"test-wide\", "
            + "\"tasks\": {\"env\": \"navigation-2d\"}}"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, d::observationSpace);
    assertEquals("gym-http server " + server.url() + "/ env_id test-wide serves observation space Box[3] and action "
        + "space Box[2], but the local tasks' environment navigation-2d has observation space Box[2] and action "
        + "space Box[2]", e.getMessage());
    // The batched path checks the spaces its create returns, and closes what it made.
    RemoteTaskDistribution batched = new RemoteTaskDistribution(client, "test-wide", 100, null,
        Navigation2D.standard()::sample, RemoteTaskDistribution.BatchMode.ALWAYS, Navigation2D.standard());
    List<Task> tasks = Navigation2D.standard().sample(3, new SplittableRandom(1));
    e = assertThrows(IllegalArgumentException.class, () -> batched.makeVector(tasks));
    assertTrue(e.getMessage().contains("serves observation space Box[3]"), e.getMessage());
    assertEquals(0, server.liveInstances());
    // Same shapes, other bounds: the bounds are named.
    RemoteTaskDistribution wider = new RemoteTaskDistribution(client, "navigation-2d", 100, null,
        Navigation2D.standard()::sample, RemoteTaskDistribution.BatchMode.NEVER, new Wide() {
          @Override
          public Space observationSpace() {
            return Box.of(2, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
          }

          @Override
          public Space actionSpace() {
            return Box.of(2, -1, 1);
          }
        });
    e = assertThrows(IllegalArgumentException.class, wider::actionSpace);
    assertTrue(e.getMessage().contains("action space Box[2] low [-0.1, -0.1] high [0.1, 0.1]") && e.getMessage()
        .contains("action space Box[2] low [-1.0, -1.0] high [1.0, 1.0]"), e.getMessage());
    // Matching spaces pass.
    RemoteTaskDistribution same = new RemoteTaskDistribution(client, "navigation-2d", 100, null,
        Navigation2D.standard()::sample, RemoteTaskDistribution.BatchMode.AUTO, Navigation2D.standard());
    assertEquals(Box.of(2, -0.1, 0.1), same.actionSpace());
    assertEquals(0, server.liveInstances());
  }
}
