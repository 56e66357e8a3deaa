package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import com.google.gson.JsonArray;
import com.google.gson.JsonParser;
import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code held-out} is {@code evaluate} under other option names: the same options give the same numbers. */
class HeldOutAliasTest {
  @TempDir Path dir;

  private static JsonArray steps(Path report) throws Exception {
    return JsonParser.parseString(Files.readString(report)).getAsJsonObject().getAsJsonArray("methods").get(0)
        .getAsJsonObject().getAsJsonArray("steps");
  }

  @Test
  void when_held_out_and_evaluate_get_the_same_protocol_expect_the_same_task_returns() throws Exception {
    Path spec = dir.resolve("nav.json");
    Files.writeString(spec, "{\"env\": \"navigation-2d\", \"horizon\": 10, \"train\": {\"fast_batch_size\": 4, \"fast_lr\": 0.3}}");
    Navigation2D nav = new Navigation2D(-0.5, 0.5, 10);
    Policy policy = Policies.create(PolicySpec.defaultGaussian(), nav.observationSpace(), nav.actionSpace());
    Path policyFile = dir.resolve("policy.json");
    new Checkpoint(policy.spec(), policy.init(new SplittableRandom(5), DataType.FLOAT), 3, 0).save(policyFile);

    assertEquals(0, Main.execute("held-out", "--env", spec.toString(), "--policy", policyFile.toString(), "--tasks", "3",
        "--steps", "2", "--out", dir.resolve("a.json").toString()));
    assertEquals(0, Main.execute("evaluate", policyFile.toString(), "--env", spec.toString(), "--test-tasks", "3",
        "--test-seed", "40", "--steps", "2", "--episodes", "4", "--fast-lr", "0.3", "--out", dir.resolve("b.png").toString()));
    JsonArray a = steps(dir.resolve("a.json"));
    JsonArray b = steps(dir.resolve("b.json"));
    assertEquals(3, a.size());
    assertEquals(b, a);
    // The steps did something: the returns after two steps are not those before.
    assertNotEquals(a.get(0).getAsJsonObject().get("task_returns"), a.get(2).getAsJsonObject().get("task_returns"));
  }
}
