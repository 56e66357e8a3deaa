package io.maml4j.gym;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.cli.Main;
import io.maml4j.config.Fields;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.env.VectorEnvironment;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.IterationMetrics;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import io.maml4j.train.TrainingListener;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A remote spec listing several servers ({@code "urls"}), over real loopback sockets with two
 * in-process servers: instance j on server j mod 2, one batched call per server per step, sent
 * to both at once, the numbers of one server, and one clear error when a server is down.
 */
class SeveralServersTest {
  private static RemoteTaskDistribution remote(List<String> urls, int horizon) {
    String list = urls.stream().map(u -> "\"" + u + "\"").collect(Collectors.joining(", "));
    return (RemoteTaskDistribution) EnvRegistry.standard().create(Fields.parse("test spec", "{\"env\": \"gym-http\", "
        + "\"urls\": [" + list + "], \"env_id\": \"navigation-2d\", \"horizon\": " + horizon + ", \"batch\": \"always\", "
        + "\"tasks\": {\"env\": \"navigation-2d\"}}"));
  }

  private static List<Task> tasks(int n) {
    SplittableRandom rng = new SplittableRandom(3);
    List<Task> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(Navigation2D.standard().sample(rng));
    }
    return out;
  }

  private static long count(GymHttpServer s, String route) {
    return s.requestsServed().getOrDefault(route, 0L);
  }

  /** Requests per route that are not the one-off probes (batch discovery, the spaces probe). */
  private static long plainSteps(GymHttpServer s) {
    return count(s, "POST /v1/envs/{id}/step/");
  }

  /** Resets and steps five instances over {@code dist}, recording every observation and reward. */
  private static List<double[]> drive(TaskDistribution dist, List<Task> tasks, boolean[][] activePerStep) {
    List<double[]> out = new ArrayList<>();
    try (VectorEnvironment v = dist.makeVector(tasks)) {
      long[] seeds = new long[tasks.size()];
      for (int i = 0; i < seeds.length; i++) {
        seeds[i] = 100 + i;
      }
      out.addAll(List.of(v.reset(seeds)));
      for (int h = 0; h < activePerStep.length; h++) {
        double[][] actions = new double[tasks.size()][];
        for (int i = 0; i < actions.length; i++) {
          actions[i] = new double[] {0.01 * (i + 1), -0.02 * h};
        }
        StepResult[] r = v.step(actions, activePerStep[h]);
        for (int i = 0; i < r.length; i++) {
          if (activePerStep[h][i]) {
            out.add(r[i].observation());
            out.add(new double[] {r[i].reward(), r[i].terminated() ? 1 : 0, r[i].truncated() ? 1 : 0});
          } else {
            assertNull(r[i], "inactive instance " + i + " got a result");
          }
        }
      }
    }
    return out;
  }

  @Test
  void when_fiveInstancesOverTwoServers_expect_jModTwoPlacementAndOneBatchedCallPerServerPerStep() throws Exception {
    boolean[] all = {true, true, true, true, true};
    // Only instances 0, 2 and 4 (all on the first server) still running: the second gets no call.
    boolean[] evens = {true, false, true, false, true};
    boolean[][] schedule = {all, all, all, evens};
    try (GymHttpServer a = GymHttpServer.builder().optPort(0).start();
        GymHttpServer b = GymHttpServer.builder().optPort(0).start();
        GymHttpServer single = GymHttpServer.builder().optPort(0).start()) {
      RemoteTaskDistribution two = remote(List.of(a.url(), b.url()), 20);
      assertEquals(2, two.clients().size());
      List<Task> tasks = tasks(5);
      try (VectorEnvironment v = two.makeVector(tasks)) {
        assertEquals(5, v.size());
        assertEquals(3, a.liveInstances(), "instances 0, 2, 4 on the first server");
        assertEquals(2, b.liveInstances(), "instances 1, 3 on the second server");
      }
      assertEquals(0, a.liveInstances() + b.liveInstances());

      List<double[]> spread = drive(two, tasks, schedule);
      List<double[]> one = drive(remote(List.of(single.url()), 20), tasks, schedule);
      assertEquals(one.size(), spread.size());
      for (int i = 0; i < one.size(); i++) {
        assertArrayEquals(one.get(i), spread.get(i), "value " + i + " differs between one server and two");
      }
      for (GymHttpServer s : List.of(a, b)) {
        assertEquals(2, count(s, "POST /v1/batch/create/"), s.url() + ": " + s.requestsServed());
        assertEquals(1, count(s, "POST /v1/batch/reset/"), s.url() + ": " + s.requestsServed());
        assertEquals(2, count(s, "POST /v1/batch/close/"), s.url() + ": " + s.requestsServed());
        assertEquals(0, plainSteps(s));
      }
      assertEquals(4, count(a, "POST /v1/batch/step/"), "one call per step: " + a.requestsServed());
      assertEquals(3, count(b, "POST /v1/batch/step/"), "no call once its instances stopped: " + b.requestsServed());
      assertEquals(4, count(single, "POST /v1/batch/step/"));
      assertEquals(0, a.liveInstances() + b.liveInstances() + single.liveInstances());
    }
  }

  /**
   * An environment whose step waits until the other server's instance is stepping too: a
   * client that called the servers one after the other would never get past the first step
   * (the barrier breaks after 20 s and the server answers 500).
   */
  private static TaskDistribution rendezvous(CyclicBarrier barrier) {
    Navigation2D nav = Navigation2D.standard();
    return new TaskDistribution() {
      @Override
      public String name() {
        return "rendezvous";
      }

      @Override
      public Task sample(SplittableRandom rng) {
        return nav.sample(rng);
      }

      @Override
      public Environment make(Task task) {
        Environment inner = nav.make(task);
        return new Environment() {
          @Override
          public Space observationSpace() {
            return inner.observationSpace();
          }

          @Override
          public Space actionSpace() {
            return inner.actionSpace();
          }

          @Override
          public double[] reset(long seed) {
            return inner.reset(seed);
          }

          @Override
          public StepResult step(double[] action) {
            try {
              barrier.await(20, TimeUnit.SECONDS);
            } catch (Exception e) {
              throw new IllegalStateException("the other server was not stepped at the same time", e);
            }
            return inner.step(action);
          }
        };
      }

      @Override
      public Space observationSpace() {
        return nav.observationSpace();
      }

      @Override
      public Space actionSpace() {
        return nav.actionSpace();
      }

      @Override
      public int horizon() {
        return nav.horizon();
      }
    };
  }

  @Test
  void when_steppingOverTwoServers_expect_bothCallsInFlightTogether() throws Exception {
    CyclicBarrier barrier = new CyclicBarrier(2);
    try (GymHttpServer a = GymHttpServer.builder().optPort(0).optRegistered(false)
            .optEnvironment("rendezvous", rendezvous(barrier)).start();
        GymHttpServer b = GymHttpServer.builder().optPort(0).optRegistered(false)
            .optEnvironment("rendezvous", rendezvous(barrier)).start()) {
      RemoteTaskDistribution dist = new RemoteTaskDistribution(
          List.of(new GymHttpClient(a.url()), new GymHttpClient(b.url())), "rendezvous", 10, null,
          Navigation2D.standard()::sample, RemoteTaskDistribution.BatchMode.ALWAYS, null);
      try (VectorEnvironment v = dist.makeVector(tasks(2))) {
        v.reset(new long[] {1, 2});
        for (int h = 0; h < 3; h++) {
          StepResult[] r = v.step(new double[][] {{0.01, 0}, {0, 0.01}}, new boolean[] {true, true});
          assertEquals(2, r.length);
        }
      }
      assertEquals(3, count(a, "POST /v1/batch/step/"));
      assertEquals(3, count(b, "POST /v1/batch/step/"));
    }
  }

  /** The metrics that do not depend on timing. */
  private record Figures(int iteration, double preReturn, double postReturn, double lossBefore, double lossAfter,
      double kl, boolean accepted, int lineSearchSteps, long envSteps) {
    static Figures of(IterationMetrics m) {
      return new Figures(m.iteration(), m.preReturn(), m.postReturn(), m.lossBefore(), m.lossAfter(), m.kl(),
          m.accepted(), m.lineSearchSteps(), m.envSteps());
    }
  }

  private record Run(List<Figures> figures, double[] theta) {}

  private static Run train(TaskDistribution dist) {
    TrainConfig cfg = TrainConfig.defaults().toBuilder().metaBatchSize(3).fastBatchSize(3).numBatches(2).seed(5)
        .build();
    Policy policy = Policies.create(PolicySpec.defaultGaussian(), dist.observationSpace(), dist.actionSpace());
    Trainer trainer = new Trainer(dist, policy, cfg);
    List<Figures> out = new ArrayList<>();
    double[][] last = {null};
    trainer.run(trainer.initialParams(), 0, 0, List.of(new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics m, Params theta) {
        out.add(Figures.of(m));
        last[0] = theta.flat();
      }
    }));
    return new Run(out, last[0]);
  }

  @Test
  void when_metaTrainingOverTwoServers_expect_bitIdenticalToOneServerAndInProcess() throws Exception {
    Run local = train(new Navigation2D(-0.5, 0.5, 20));
    try (GymHttpServer a = GymHttpServer.builder().optPort(0).start();
        GymHttpServer b = GymHttpServer.builder().optPort(0).start()) {
      Run one = train(remote(List.of(a.url()), 20));
      long stepsOne = count(a, "POST /v1/batch/step/");
      Run two = train(remote(List.of(a.url(), b.url()), 20));
      assertEquals(local.figures(), one.figures());
      assertEquals(one.figures(), two.figures());
      assertArrayEquals(local.theta(), two.theta());
      assertArrayEquals(one.theta(), two.theta());
      long stepsA = count(a, "POST /v1/batch/step/") - stepsOne;
      long stepsB = count(b, "POST /v1/batch/step/");
      // Each sampler step is at most one call per server; both servers took part.
      assertTrue(stepsB > 0 && stepsA >= stepsB && stepsA <= stepsOne, stepsOne + " " + stepsA + " " + stepsB);
      assertEquals(0, plainSteps(a) + plainSteps(b));
      assertEquals(0, a.liveInstances() + b.liveInstances(), "instances left open");
    }
  }

  @Test
  void when_oneServerIsDown_expect_oneErrorNamingItsUrlAndNothingLeftOpen() throws Exception {
    try (GymHttpServer a = GymHttpServer.builder().optPort(0).start()) {
      GymHttpServer gone = GymHttpServer.builder().optPort(0).start();
      String goneUrl = gone.url();
      gone.close();
      RemoteTaskDistribution dist = remote(List.of(a.url(), goneUrl), 20);
      GymHttpException e = assertThrows(GymHttpException.class, () -> dist.makeVector(tasks(4)));
      assertInstanceOf(GymHttpException.Unreachable.class, e);
      assertTrue(e.getMessage().contains(" " + goneUrl + "/v1/batch/"), e.getMessage());
      assertTrue(e.getMessage().contains("cannot reach the server"), e.getMessage());
      assertEquals(1, e.getMessage().lines().count(), e.getMessage());
      assertEquals(0, a.liveInstances(), "the reachable server's instances are closed again");

      // A server that goes away between steps: the step names it.
      try (GymHttpServer b = GymHttpServer.builder().optPort(0).start()) {
        RemoteTaskDistribution both = remote(List.of(a.url(), b.url()), 20);
        VectorEnvironment v = both.makeVector(tasks(4));
        v.reset(new long[] {1, 2, 3, 4});
        String bUrl = b.url();
        b.close();
        double[][] actions = {{0, 0}, {0, 0}, {0, 0}, {0, 0}};
        GymHttpException step = assertThrows(GymHttpException.class,
            () -> v.step(actions, new boolean[] {true, true, true, true}));
        assertTrue(step.getMessage().startsWith("POST " + bUrl + "/v1/batch/step/: "), step.getMessage());
        assertThrows(GymHttpException.class, v::close);
        assertEquals(0, a.liveInstances(), "the live server's instances are closed even though the other is gone");
      }
    }
  }

  @Test
  void when_trainingWithAServerDown_expect_oneErrorLineNamingItsUrl(@TempDir Path dir) throws Exception {
    try (GymHttpServer a = GymHttpServer.builder().optPort(0).start()) {
      GymHttpServer gone = GymHttpServer.builder().optPort(0).start();
      String goneUrl = gone.url();
      gone.close();
      Path spec = dir.resolve("two.json");
      Files.writeString(spec, "{\"env\": \"gym-http\", \"urls\": [\"" + a.url() + "\", \"" + goneUrl + "\"], "
          + "\"env_id\": \"navigation-2d\", \"horizon\": 5, \"retries\": 0, \"tasks\": {\"env\": \"navigation-2d\"}, "
          + "\"train\": {\"meta_batch_size\": 2, \"fast_batch_size\": 2}}");
      PrintStream old = System.err;
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code;
      try {
        code = Main.execute("train", "--env", spec.toString(), "--iterations", "1", "--out",
            dir.resolve("run").toString());
      } finally {
        System.setErr(old);
      }
      List<String> errors = err.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("maml4j: error")
          || l.startsWith("maml4j: failed") || l.startsWith("\tat ")).toList();
      assertEquals(1, code, err.toString(StandardCharsets.UTF_8));
      assertEquals(List.of("maml4j: error: GET " + goneUrl + "/v1/batch/: cannot reach the server (connection refused)"),
          errors);
      assertEquals(0, a.liveInstances());
    }
  }

  @Test
  void when_theServersServeOtherSpaces_expect_oneErrorNamingBothAndNothingLeftOpen() throws Exception {
    try (GymHttpServer a = GymHttpServer.builder().optPort(0).start();
        GymHttpServer b = GymHttpServer.builder().optPort(0).optRegistered(false)
            .optEnvironment("navigation-2d", new TestEnvs.Grid()).start()) {
      RemoteTaskDistribution dist = new RemoteTaskDistribution(
          List.of(new GymHttpClient(a.url()), new GymHttpClient(b.url())), "navigation-2d", 10, null,
          RemoteTaskDistribution.TaskSampler.none(), RemoteTaskDistribution.BatchMode.ALWAYS, null);
      String message = assertThrows(IllegalArgumentException.class, () -> dist.makeVector(List.of(new Task(Map.of()), new Task(Map.of())))).getMessage();
      assertTrue(message.startsWith("gym-http server " + b.url() + "/ env_id navigation-2d serves observation space "),
          message);
      assertTrue(message.contains("but " + a.url() + "/ serves "), message);
      assertEquals(0, a.liveInstances() + b.liveInstances());
    }
  }

  @Test
  void when_singleEnvironmentsMade_expect_theServersInTurn() throws Exception {
    try (GymHttpServer a = GymHttpServer.builder().optPort(0).start();
        GymHttpServer b = GymHttpServer.builder().optPort(0).start()) {
      RemoteTaskDistribution dist = remote(List.of(a.url(), b.url()), 20);
      List<Environment> envs = new ArrayList<>();
      for (Task t : tasks(3)) {
        envs.add(dist.make(t));
      }
      assertEquals(Map.of("a", 2, "b", 1), Map.of("a", a.liveInstances(), "b", b.liveInstances()));
      for (Environment e : envs) {
        e.close();
      }
    }
  }
}
