package io.maml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.ConfigException;
import io.maml4j.envs.Navigation2D;
import io.maml4j.meta.MamlConfig;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

class TrainerTest {
  @TempDir Path dir;

  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 10);
  private final PolicySpec spec = new PolicySpec("gaussian-mlp", new int[] {16, 16}, "tanh", 1.0, 1e-6);
  private final Policy policy = Policies.create(spec, nav.observationSpace(), nav.actionSpace());

  private TrainConfig config(int iterations, long seed) {
    return TrainConfig.defaults().toBuilder().metaBatchSize(4).fastBatchSize(3).numBatches(iterations).seed(seed).build();
  }

  private static final class Recorder implements TrainingListener {
    final List<String> lines = new ArrayList<>();

    @Override
    public void onIteration(IterationMetrics m, Params theta) {
      // Everything but wall times must reproduce exactly.
      var o = m.toJson();
      o.remove("time_sampling");
      o.remove("time_adaptation");
      o.remove("time_meta_step");
      lines.add(o.toString());
    }
  }

  private List<String> run(TrainConfig cfg) {
    return run(cfg, 2, new ArrayList<>());
  }

  /** The metrics of a run on {@code threads} threads; its final θ goes into {@code out}. */
  private List<String> run(TrainConfig cfg, int threads, List<double[]> out) {
    Trainer t = new Trainer(nav, policy, cfg, Trainer.metaLearner(policy, cfg), Trainer.local(threads));
    Recorder r = new Recorder();
    out.add(t.run(t.initialParams(), 0, 0, List.of(r)).flat());
    return r.lines;
  }

  @Test
  void when_threads_differ_expect_the_same_metrics_and_parameters_bit_for_bit() {
    // Every task's numbers come from (seed, iteration, task) and are reduced in task order, so
    // the thread count (1, 2, 3 over 4 tasks: one, two and uneven groups) changes nothing.
    List<double[]> theta = new ArrayList<>();
    List<String> one = run(config(3, 2), 1, theta);
    for (int threads : new int[] {2, 3}) {
      assertEquals(one, run(config(3, 2), threads, theta), threads + " threads");
      org.junit.jupiter.api.Assertions.assertArrayEquals(theta.get(0), theta.get(theta.size() - 1), 0,
          threads + " threads");
    }
    TrainConfig first = config(3, 2).toBuilder().maml(new MamlConfig(0.1, 1, true, 0.01, 10, 1e-5, 15, 0.8)).build();
    assertEquals(run(first, 1, theta), run(first, 3, theta), "first-order");
  }

  @Test
  void sameSeedAndConfigReproduceTheSameMetricsExactly() {
    List<String> a = run(config(3, 5));
    List<String> b = run(config(3, 5));
    assertEquals(a, b);
    List<String> c = run(config(3, 6));
    assertTrue(!a.get(0).equals(c.get(0)), "a different seed gave identical metrics");
  }

  private List<IterationMetrics> metrics(int innerSteps) {
    MamlConfig m = new MamlConfig(0.1, innerSteps, false, 0.01, 10, 1e-5, 15, 0.8);
    Trainer t = new Trainer(nav, policy, TrainConfig.defaults().toBuilder().metaBatchSize(4)
        .fastBatchSize(3).numBatches(2).maml(m).seed(5).build());
    List<IterationMetrics> out = new ArrayList<>();
    t.run(t.initialParams(), 0, 0, List.of(new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics x, Params theta) {
        out.add(x);
      }
    }));
    return out;
  }

  @Test
  void zeroInnerStepsSampleOneSetOfEpisodesForBothRoles() {
    int oneSet = 4 * 3 * 10;
    for (IterationMetrics x : metrics(0)) {
      assertEquals(x.preReturn(), x.postReturn());
      assertTrue(x.envSteps() <= oneSet, "env steps " + x.envSteps());
    }
    for (IterationMetrics x : metrics(1)) {
      assertTrue(x.envSteps() > oneSet, "one inner step samples twice, env steps " + x.envSteps());
    }
  }

  @Test
  void resumingFromACheckpointReproducesTheUninterruptedRun() {
    TrainConfig cfg = config(4, 9);
    List<String> whole = run(cfg);
    RunDirectory run = new RunDirectory(dir, spec);
    Trainer first = new Trainer(nav, policy, config(2, 9));
    first.run(first.initialParams(), 0, 0, List.of(run));
    Checkpoint ck = Checkpoint.load(run.checkpoint(), DataType.FLOAT);
    assertEquals(2, ck.iteration());
    Recorder r = new Recorder();
    new Trainer(nav, policy, cfg).run(ck.params(), ck.iteration(), ck.envSteps(), List.of(r));
    assertEquals(whole.subList(2, 4), r.lines);
  }

  @Test
  void metricsAreOneJsonLinePerIterationAndTruncatedTailsAreDropped() throws Exception {
    RunDirectory run = new RunDirectory(dir, spec);
    Trainer t = new Trainer(nav, policy, config(3, 1));
    t.run(t.initialParams(), 0, 0, List.of(run));
    List<String> lines = Files.readAllLines(run.metrics());
    assertEquals(3, lines.size());
    Files.writeString(run.metrics(), String.join("\n", lines) + "\n{\"iteration\": 3, \"pre_ret");
    run.truncateMetrics(2);
    assertEquals(lines.subList(0, 2), Files.readAllLines(run.metrics()));
    assertTrue(Files.exists(run.policy()));
  }

  @Test
  void corruptCheckpointNamesFileAndField() throws Exception {
    Path ck = dir.resolve("checkpoint.json");
    Files.writeString(ck, "{\"format\": 1, \"iteration\": 2, \"env_steps\": 5, \"policy\": {\"type\": \"gaussian-mlp\"},"
        + " \"params\": {\"layer0.weight\": {\"shape\": [2, 2], \"data\": [1, 2, 3]}}}");
    ConfigException e = assertThrows(ConfigException.class, () -> Checkpoint.load(ck, DataType.FLOAT));
    assertEquals(ck + ": field 'params.layer0.weight.data': expected 4 numbers for shape [2,2], got 3 numbers",
        e.getMessage());
    Files.writeString(ck, "{\"format\": 1, \"iteration\": 2");
    assertThrows(ConfigException.class, () -> Checkpoint.load(ck, DataType.FLOAT));
  }

  @Test
  void atomicWritesLeaveNoTemporaryFileAndKeepOrdinaryPermissions() throws Exception {
    Path f = dir.resolve("atomic/out.json");
    Checkpoint.writeAtomically(f, "{}");
    Checkpoint.writeAtomically(f, "{\"a\": 1}");
    assertEquals("{\"a\": 1}", Files.readString(f));
    try (var files = Files.list(f.getParent())) {
      assertEquals(List.of(f), files.toList());
    }
    if (f.getFileSystem().supportedFileAttributeViews().contains("posix")) {
      // A temporary-file API would have made it owner-only (0600); ordinary outputs follow the umask.
      var perms = Files.getPosixFilePermissions(f);
      Path plain = dir.resolve("atomic-plain.json");
      Files.writeString(plain, "{}");
      assertEquals(Files.getPosixFilePermissions(plain), perms);
    }
  }

  @Test
  void checkpointRoundTripsParametersExactly() {
    Params p = policy.init(new java.util.SplittableRandom(1), DataType.FLOAT);
    Path f = dir.resolve("c.json");
    new Checkpoint(spec, p, 7, 99).save(f);
    Checkpoint back = Checkpoint.load(f, DataType.FLOAT);
    assertEquals(7, back.iteration());
    assertEquals(99, back.envSteps());
    assertEquals(spec, back.spec());
    for (String n : p.names()) {
      assertEquals(p.get(n).value(), back.params().get(n).value());
    }
  }
}
