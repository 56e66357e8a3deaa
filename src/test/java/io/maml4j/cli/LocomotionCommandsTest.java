package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.maml4j.locomotion.Locomotion;
import io.maml4j.locomotion.LocomotionTasks;
import io.maml4j.mujoco.MuJoCo;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.Checkpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** {@code maml4j evaluate} and {@code maml4j render} end to end on a small half-cheetah spec. */
class LocomotionCommandsTest {
  @Test
  void when_policy_evaluated_and_rendered_expect_reports_and_pictures(@TempDir Path dir) throws Exception {
    assumeTrue(MuJoCo.isAvailable(), "MuJoCo 2.2.2 not installed");
    Path spec = dir.resolve("hc.json");
    Files.writeString(spec, """
        {"env": "half-cheetah-vel", "horizon": 15, "threads": 2, "model": "%s",
         "train": {"fast_batch_size": 3, "fast_lr": 0.1}}
        """.formatted(Path.of("environments/mujoco/half_cheetah.xml").toAbsolutePath().toString().replace("\\", "/")));
    LocomotionTasks dist = LocomotionTasks.standard(Locomotion.HALF_CHEETAH_VEL, 15);
    Policy policy = Policies.create(PolicySpec.defaultGaussian(), dist.observationSpace(), dist.actionSpace());
    Path policyFile = dir.resolve("policy.json");
    new Checkpoint(policy.spec(), policy.init(new SplittableRandom(3), DataType.FLOAT), 7, 0).save(policyFile);
    dist.model().close();

    // held-out is evaluate under other option names: the report is evaluate's, with the spec's episodes and α.
    Path report = dir.resolve("eval.json");
    assertEquals(0, Main.execute("held-out", "--env", spec.toString(), "--policy", policyFile.toString(), "--tasks", "3",
        "--steps", "1", "--out", report.toString()));
    JsonObject o = JsonParser.parseString(Files.readString(report)).getAsJsonObject();
    assertEquals(3, o.getAsJsonObject("protocol").get("test_tasks").getAsInt());
    assertEquals(3, o.getAsJsonObject("protocol").get("episodes_per_step").getAsInt());
    assertEquals(0.1, o.getAsJsonObject("protocol").get("fast_lr").getAsDouble());
    JsonObject post = o.getAsJsonArray("methods").get(0).getAsJsonObject().getAsJsonArray("steps").get(1).getAsJsonObject();
    assertEquals(3, post.getAsJsonArray("task_returns").size());
    assertTrue(Double.isFinite(post.get("mean_return").getAsDouble()));
    assertTrue(Files.exists(dir.resolve("eval.png")));

    Path png = dir.resolve("out/hc.png");
    Path gif = dir.resolve("out/hc.gif");
    assertEquals(0, Main.execute("render", "--env", spec.toString(), "--policy", policyFile.toString(), "--goal", "1.2",
        "--out", png.toString(), "--gif", gif.toString(), "--frames", "3"));
    assertTrue(ImageIO.read(png.toFile()).getWidth() > 3 * 200);
    assertTrue(Files.size(gif) > 1000);

    assertEquals(2, Main.execute("render", "--env", "environments/navigation-2d.json", "--policy", policyFile.toString()));
    assertEquals(2, Main.execute("render", "--env", spec.toString(), "--policy", policyFile.toString(), "--goal", "fast"));
  }
}
