package io.maml4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** train, pretrain and evaluate on a tiny Omniglot layout the test writes. */
class FewShotCommandsTest {
  @TempDir
  Path dir;

  /** Character c of an alphabet: a 4x4 black square at one of 4 corners of a 12x12 page, shifted by example. */
  private void layout(Path root) throws IOException {
    int c = 0;
    for (String set : List.of("images_background", "images_evaluation")) {
      for (String alphabet : set.equals("images_background") ? List.of("A", "B", "C") : List.of("Z")) {
        for (int ch = 0; ch < 3; ch++, c++) {
          for (int i = 0; i < 4; i++) {
            Path file = root.resolve(set).resolve(alphabet).resolve("character0" + ch).resolve(i + ".png");
            Files.createDirectories(file.getParent());
            BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_BYTE_BINARY);
            Graphics2D g = img.createGraphics();
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, 12, 12);
            g.setColor(Color.BLACK);
            g.fillRect((c % 2) * 6 + i % 2, ((c / 2) % 2) * 6 + i / 2, 4, 4);
            g.dispose();
            ImageIO.write(img, "png", file.toFile());
          }
        }
      }
    }
  }

  private Path spec() throws IOException {
    layout(dir.resolve("omni"));
    Path spec = dir.resolve("omni.json");
    Files.writeString(spec, "{\"env\": \"omniglot\", \"data\": \"omni\", \"size\": 8, \"valid_alphabets\": 1,"
        + " \"ways\": 2, \"shots\": 1, \"queries\": 2,"
        + " \"policy\": {\"type\": \"conv-classifier\", \"blocks\": 2, \"filters\": [4], \"kernel\": 3,"
        + " \"pooling\": \"max\", \"batch_norm\": true},"
        + " \"train\": {\"meta_optimizer\": \"adam\", \"meta_lr\": 0.01, \"loss\": \"cross-entropy\","
        + " \"meta_batch_size\": 2, \"fast_batch_size\": 2, \"fast_lr\": 0.4, \"num_batches\": 2, \"dtype\": \"float64\"}}");
    return spec;
  }

  @Test
  void when_evaluating_a_classification_run_expect_maml_first_order_and_both_baselines_on_the_same_tasks()
      throws IOException {
    Path spec = spec();
    Path run = dir.resolve("maml");
    Path fo = dir.resolve("fomaml");
    Path pre = dir.resolve("pre.json");
    assertEquals(0, Main.execute("train", "--env", spec.toString(), "--out", run.toString(), "--log"));
    assertEquals(0, Main.execute("train", "--env", spec.toString(), "--first-order", "--out", fo.toString(), "--log"));
    assertEquals(0, Main.execute("pretrain", "--env", spec.toString(), "--steps", "3", "--batch", "4", "--out",
        pre.toString()));
    assertEquals(2, Main.execute("pretrain", "--env", spec.toString(), "--steps", "3", "--out", pre.toString()),
        "an existing file is not overwritten");
    Path png = dir.resolve("eval.png");
    assertEquals(0, Main.execute("evaluate", run.toString(), "--test-tasks", "3", "--steps", "2", "--compare",
        fo.toString(), "--pretrained", pre.toString(), "--tune-steps", "2", "--tune-tasks", "2", "--out",
        png.toString()));
    assertTrue(Files.exists(png));
    JsonObject report = JsonParser.parseString(Files.readString(dir.resolve("eval.json"))).getAsJsonObject();
    List<String> labels = new ArrayList<>();
    for (JsonElement m : report.getAsJsonArray("methods")) {
      JsonObject o = m.getAsJsonObject();
      labels.add(o.get("label").getAsString());
      JsonArray steps = o.getAsJsonArray("steps");
      for (JsonElement s : steps) {
        for (JsonElement a : s.getAsJsonObject().getAsJsonArray("task_returns")) {
          // 2 ways x 2 queries: accuracies are quarters.
          double x = a.getAsDouble();
          assertTrue(x >= 0 && x <= 1 && Math.abs(4 * x - Math.round(4 * x)) < 1e-9, "accuracy " + x);
        }
        assertEquals(3, s.getAsJsonObject().get("tasks").getAsInt());
      }
    }
    assertEquals(List.of("maml", "fomaml", "scratch", "pretrained", "maml-tuned", "fomaml-tuned", "scratch-tuned",
        "pretrained-tuned"), labels);
    // The protocol block is the classification protocol's: one step size for every step, no RL fields.
    JsonObject protocol = report.getAsJsonObject("protocol");
    assertEquals(3, protocol.get("test_tasks").getAsInt());
    assertEquals(2, protocol.get("gradient_steps").getAsInt());
    assertTrue(protocol.has("step_size"), protocol.toString());
    assertEquals(2, protocol.get("ways").getAsInt());
    assertEquals("test", protocol.get("split").getAsString());
    for (String rl : List.of("later_lr", "episodes_per_step", "gamma", "gae_lambda", "inner_estimator")) {
      assertFalse(protocol.has(rl), rl + " in " + protocol);
    }
  }

  @Test
  void when_pretraining_a_non_classification_spec_expect_exit_2() {
    assertEquals(2, Main.execute("pretrain", "--env", "environments/sinusoid.json", "--out",
        dir.resolve("x.json").toString()));
    assertFalse(Files.exists(dir.resolve("x.json")));
  }
}
