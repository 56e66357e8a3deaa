package io.maml4j.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.maml4j.config.ConfigException;
import io.maml4j.meta.TaskReply;
import io.maml4j.meta.TaskRequest;
import io.maml4j.policy.Params;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.IterationMetrics;
import io.maml4j.train.Run;
import io.maml4j.train.Trainer;
import io.maml4j.train.TrainingListener;
import io.maml4j.work.TaskExecutor;
import io.maml4j.work.UnitFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Embedded workers and a driver on loopback, one JVM: the cluster gives the in-process numbers. */
class ClusterExecutorTest {
  private static final String NAME = "test-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String SECRET = "s3cret-for-tests";
  @TempDir static Path dir;
  private static Run run;
  private static Worker first;
  private static ClusterDriver driver;
  private static Result local;

  private record Result(List<String> metrics, double[] theta) {}

  private static ClusterSettings settings(List<String> join, String secret) {
    return new ClusterSettings(join, NAME, secret, ClusterSettings.LOOPBACK, 20000 + ThreadLocalRandom.current()
        .nextInt(20000), ClusterSettings.DEFAULT_ROUND_TIMEOUT);
  }

  private static Worker worker() {
    return worker(SECRET, io.maml4j.train.RunConfig.VERSION);
  }

  private static Worker worker(String secret, String version) {
    return new Worker(settings(List.of(first.address()), secret), 1, version, line -> {});
  }

  @BeforeAll
  static void start() throws Exception {
    JsonObject spec = new JsonObject();
    spec.addProperty("env", "navigation-2d");
    spec.addProperty("horizon", 10);
    spec.addProperty("goal_low", -0.5);
    spec.addProperty("goal_high", 0.5);
    spec.add("policy", new PolicySpec("gaussian-mlp", new int[] {16, 16}, "tanh", 1.0, 1e-6).toJson());
    JsonObject train = new JsonObject();
    train.addProperty("meta_batch_size", 4);
    train.addProperty("fast_batch_size", 3);
    train.addProperty("num_batches", 3);
    train.addProperty("seed", 5);
    // Fewer curvature products than the default keep the class near a minute; every round kind still runs.
    train.addProperty("cg_iters", 3);
    train.addProperty("ls_max_steps", 4);
    spec.add("train", train);
    Path file = dir.resolve("nav.json");
    Files.writeString(file, spec.toString());
    run = Run.resolve(file, null, List.of(), 1);
    local = train(Trainer.local(1));
    first = new Worker(settings(List.of(), SECRET), 1, line -> {});
    driver = new ClusterDriver(settings(List.of(first.address()), SECRET));
  }

  @AfterAll
  static void stop() {
    if (driver != null) {
      driver.close();
    }
    if (first != null) {
      first.close();
    }
  }

  private static Result train(Function<UnitFactory, TaskExecutor> executors) {
    Trainer t = new Trainer(run.distribution(), run.policy(), run.train(), run.metaLearner(), executors);
    List<String> lines = new ArrayList<>();
    Params end = t.run(t.initialParams(), 0, 0, List.of(new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics m, Params theta) {
        // Everything but wall times must reproduce exactly.
        JsonObject o = m.toJson();
        o.remove("time_sampling");
        o.remove("time_adaptation");
        o.remove("time_meta_step");
        lines.add(o.toString());
      }
    }));
    return new Result(lines, end.flat());
  }

  private static void assertSame(Result expected, Result got, String what) {
    assertEquals(expected.metrics(), got.metrics(), what);
    assertArrayEquals(expected.theta(), got.theta(), 0, what);
  }

  private static void awaitWorkers(int n) throws InterruptedException {
    for (int i = 0; i < 200 && driver.workers().size() != n; i++) {
      Thread.sleep(50);
    }
    assertEquals(n, driver.workers().size(), "workers in the cluster");
  }

  @Test
  void when_run_on_1_2_or_3_members_expect_the_in_process_numbers_bit_for_bit() throws Exception {
    assertEquals(3, local.metrics().size());
    assertSame(local, train(Trainer.local(2)), "2 threads");
    awaitWorkers(1);
    assertSame(local, train(driver.executors(run)), "1 member");
    try (Worker b = worker()) {
      awaitWorkers(2);
      assertSame(local, train(driver.executors(run)), "2 members");
      try (Worker c = worker()) {
        awaitWorkers(3);
        long rounds = driver.stats().rounds();
        assertSame(local, train(driver.executors(run)), "3 members");
        assertTrue(driver.stats().rounds() - rounds >= 3 * 3, "at least setup, a curvature product and a close per"
            + " iteration");
      }
    }
    awaitWorkers(1);
  }

  /** The executors of {@code cluster}, with {@code action} run after round {@code round} (1-based) of {@code iteration}. */
  private static Function<UnitFactory, TaskExecutor> after(Function<UnitFactory, TaskExecutor> cluster, int iteration,
      int round, Runnable action) {
    return units -> new TaskExecutor() {
      final TaskExecutor inner = cluster.apply(units);

      @Override
      public Iteration begin(int it, int tasks) {
        Iteration open = inner.begin(it, tasks);
        return new Iteration() {
          int sends;

          @Override
          public int tasks() {
            return open.tasks();
          }

          @Override
          public List<TaskReply> send(TaskRequest request) {
            List<TaskReply> out = open.send(request);
            if (it == iteration && ++sends == round) {
              action.run();
            }
            return out;
          }

          @Override
          public void close() {
            open.close();
          }
        };
      }

      @Override
      public int parallelism() {
        return inner.parallelism();
      }

      @Override
      public void close() {
        inner.close();
      }
    };
  }

  @Test
  void when_a_member_shuts_down_mid_iteration_expect_no_number_to_change() throws Exception {
    Worker b = worker();
    Worker victim = worker();
    try {
      awaitWorkers(3);
      // After two rounds of iteration 1 the victim holds sampled, adapted units of its tasks.
      Result r = train(after(driver.executors(run), 1, 2, victim::close));
      assertEquals(2, driver.workers().size(), "the victim left during iteration 1");
      assertSame(local, r, "a member lost mid-iteration");
    } finally {
      victim.close();
      b.close();
    }
    awaitWorkers(1);
  }

  @Test
  void when_a_member_is_slower_than_the_round_timeout_expect_its_tasks_rerun_elsewhere_and_no_number_to_change()
      throws Exception {
    Worker slow = worker();
    try (ClusterDriver impatient = new ClusterDriver(settings(List.of(first.address()), SECRET)
        .withRoundTimeout(java.time.Duration.ofSeconds(3)))) {
      awaitWorkers(2);
      // From iteration 1's second round on the slow member takes longer than the timeout.
      Result r = train(after(impatient.executors(run), 1, 1, () -> slow.state().beforeRound = () -> {
        try {
          Thread.sleep(8000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      assertSame(local, r, "a member slower than the round timeout");
    } finally {
      slow.close();
    }
    awaitWorkers(1);
  }

  @Test
  void when_a_member_joins_mid_run_expect_tasks_from_the_next_iteration_and_the_same_numbers() throws Exception {
    awaitWorkers(1);
    List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
    Worker[] late = new Worker[1];
    try {
      Result r = train(after(driver.executors(run), 0, 1, () -> {
        late[0] = new Worker(settings(List.of(first.address()), SECRET), 1, lines::add);
        try {
          awaitWorkers(2);
        } catch (InterruptedException e) {
          throw new IllegalStateException(e);
        }
      }));
      assertSame(local, r, "a member joined during iteration 0");
      assertTrue(lines.stream().anyMatch(l -> l.contains("serving run")), "the late member served: " + lines);
    } finally {
      if (late[0] != null) {
        late[0].close();
      }
    }
    awaitWorkers(1);
  }

  @Test
  void when_no_worker_is_left_expect_one_line_that_points_to_resume() throws Exception {
    ClusterSettings alone = new ClusterSettings(List.of(), NAME + "-alone", SECRET, ClusterSettings.LOOPBACK,
        20000 + ThreadLocalRandom.current().nextInt(20000), ClusterSettings.DEFAULT_ROUND_TIMEOUT);
    Worker only = new Worker(alone, 1, line -> {});
    try (ClusterDriver d = new ClusterDriver(new ClusterSettings(List.of(only.address()), alone.name(), SECRET,
        ClusterSettings.LOOPBACK, alone.port() + 1, ClusterSettings.DEFAULT_ROUND_TIMEOUT))) {
      ClusterException e = assertThrows(ClusterException.class, () -> train(after(d.executors(run), 0, 1, only::close)));
      assertTrue(e.getMessage().contains("no worker left") && e.getMessage().contains("--resume"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    } finally {
      only.close();
    }
  }

  @Test
  void when_the_secret_is_wrong_expect_the_member_cannot_join_or_submit() throws Exception {
    try (Worker intruder = worker("not-the-secret", io.maml4j.train.RunConfig.VERSION)) {
      // Hazelcast refused the join (another cluster name): the intruder is alone and the driver never sees it.
      assertEquals(1, intruder.clusterSize());
      Thread.sleep(500);
      awaitWorkers(1);
      assertEquals(2, first.clusterSize(), "the first worker and the driver");
    }
    Worker.State state = new Worker.State(settings(List.of(), SECRET).jobProof(), 1, "x", l -> {});
    SecurityException e = assertThrows(SecurityException.class,
        () -> state.checkProof(settings(List.of(), "not-the-secret").jobProof()));
    assertTrue(e.getMessage().contains("secret"), e.getMessage());
  }

  @Test
  void when_a_member_runs_another_version_expect_one_line_naming_both() throws Exception {
    try (Worker old = worker(SECRET, "0.0.9")) {
      awaitWorkers(2);
      ConfigException e = assertThrows(ConfigException.class, () -> train(driver.executors(run)));
      assertTrue(e.getMessage().contains("0.0.9") && e.getMessage().contains(io.maml4j.train.RunConfig.VERSION),
          e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
    awaitWorkers(1);
  }
}
