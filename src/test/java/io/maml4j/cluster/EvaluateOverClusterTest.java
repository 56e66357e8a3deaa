package io.maml4j.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.EvaluationUnits;
import io.maml4j.eval.Evaluator;
import io.maml4j.policy.Params;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code evaluate --cluster}: held-out tasks fine-tuned on two embedded workers give the in-process figures. */
class EvaluateOverClusterTest {
  private static final String NAME = "eval-" + UUID.randomUUID().toString().substring(0, 8);
  private static final String SECRET = "s3cret-for-eval-tests";
  @TempDir Path dir;

  private static ClusterSettings settings(List<String> join) {
    return new ClusterSettings(join, NAME, SECRET, ClusterSettings.LOOPBACK, 20000 + ThreadLocalRandom.current()
        .nextInt(20000), ClusterSettings.DEFAULT_ROUND_TIMEOUT);
  }

  @Test
  void when_heldOutTasksRunOnTwoMembers_expect_theInProcessFiguresAndParameters_bitForBit() throws Exception {
    JsonObject spec = new JsonObject();
    spec.addProperty("env", "navigation-2d");
    spec.addProperty("horizon", 10);
    spec.add("policy", new PolicySpec("gaussian-mlp", new int[] {16, 16}, "tanh", 1.0, 1e-6).toJson());
    Path file = dir.resolve("nav.json");
    Files.writeString(file, spec.toString());
    Run run = Run.resolve(file, null, List.of(), 1);
    Params theta = run.policy().init(new SplittableRandom(9), DataType.FLOAT);
    EvalConfig cfg = new EvalConfig(5, 40, 2, 3, 0.1, 0.99, 1.0);
    Evaluator ev = new Evaluator(run.distribution(), cfg, DataType.FLOAT);
    Evaluator.Result local = ev.fineTune("m", run.policy(), theta);

    List<String> log = new CopyOnWriteArrayList<>();
    try (Worker a = new Worker(settings(List.of()), 1, log::add);
        Worker b = new Worker(settings(List.of(a.address())), 2, log::add);
        ClusterDriver driver = new ClusterDriver(settings(List.of(a.address())))) {
      for (int i = 0; i < 200 && driver.workers().size() != 2; i++) {
        Thread.sleep(50);
      }
      assertEquals(2, driver.workers().size(), "workers in the cluster");
      long rounds = driver.stats().rounds();
      Evaluator.Result remote = new EvaluationUnits(ev, run.policy(), theta).fineTune("m", theta,
          driver.evaluationExecutors(run, cfg));
      double[][] e = local.curve().taskReturns();
      double[][] g = remote.curve().taskReturns();
      for (int s = 0; s < e.length; s++) {
        assertArrayEquals(e[s], g[s], 0, "returns after " + s + " steps");
      }
      for (int s = 0; s < local.stepParams().size(); s++) {
        assertArrayEquals(local.stepParams().get(s).flat(), remote.stepParams().get(s).flat(), 0,
            "parameters after " + s + " steps");
      }
      // One round that fine-tunes every task, one that closes the iteration.
      assertEquals(2, driver.stats().rounds() - rounds, "rounds");
      assertEquals(2, log.stream().filter(l -> l.startsWith("maml4j worker: serving evaluation ")
          && l.endsWith("(navigation-2d, 5 held-out tasks)")).count(), log.toString());
      assertTrue(driver.stats().bytesReceived() > 0);
    }
  }
}
