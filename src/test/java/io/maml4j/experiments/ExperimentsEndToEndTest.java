package io.maml4j.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import io.maml4j.config.Fields;
import io.maml4j.envs.BernoulliBandit;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.Run;
import io.maml4j.train.RunConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;

/** The sinusoid and bandit experiments on tiny budgets: they run and write what they promise. */
class ExperimentsEndToEndTest {
  @TempDir
  Path dir;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  /** The spec's run for {@code iterations} meta-iterations from {@code seed}, as the commands resolve it. */
  static Run run(String spec, int iterations, long seed) {
    return Run.resolve(Path.of(spec), null, List.of(Fields.parse("test", "{\"num_batches\": " + iterations
        + ", \"seed\": " + seed + "}")), 2);
  }

  @Test
  void when_running_a_tiny_sinusoid_experiment_expect_tables_and_charts() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    JsonObject r = new SinusoidExperiment(run("environments/sinusoid.json", 4, 1), new SinusoidExperiment.Options(dir,
        null, null, 3, 20, 2, new int[] {5}, 9, new double[] {0.01, 0.02}), new PrintStream(log)).run();
    assertEquals(4, r.get("maml_iterations").getAsInt());
    assertEquals(3, r.getAsJsonArray("results").size());
    for (String f : List.of("sinusoid-eval.json", "sinusoid-eval.csv", "sinusoid-mse-k5.png", "sinusoid-fit-k5.png",
        "sinusoid-fit-k5.csv", "maml/policy.json", "pretrained/policy.json")) {
      assertTrue(Files.exists(dir.resolve(f)), f);
    }
    assertEquals(1 + 3 * 3, Files.readAllLines(dir.resolve("sinusoid-eval.csv")).size());
    // Each trained model's config.json is the whole run, as train writes it; the baseline has no inner step.
    RunConfig maml = RunConfig.read(dir.resolve("maml/config.json"));
    assertEquals(run("environments/sinusoid.json", 4, 1).config(), maml);
    assertEquals(RunConfig.VERSION, maml.version());
    assertEquals("sinusoid", maml.env().env());
    assertEquals(0, RunConfig.read(dir.resolve("pretrained/config.json")).train().maml().innerSteps());
    assertEquals(1, maml.train().maml().innerSteps());
    // Evaluating the saved models again gives the same numbers.
    JsonObject again = new SinusoidExperiment(run("environments/sinusoid.json", 4, 1), new SinusoidExperiment.Options(
        dir.resolve("again"), dir.resolve("maml/policy.json"), dir.resolve("pretrained/policy.json"), 3, 20, 2,
        new int[] {5}, 9, new double[] {0.01, 0.02}), new PrintStream(log)).run();
    assertEquals(r.getAsJsonArray("results"), again.getAsJsonArray("results"));
  }

  @Test
  void when_running_a_tiny_bandit_experiment_expect_all_figures() throws Exception {
    JsonObject r = new BanditExperiment(run("environments/bandit-k5.json", 3, 1), new BanditExperiment.Options(dir,
        null, 20, 5, 2, 10), new PrintStream(new ByteArrayOutputStream())).run();
    for (String k : List.of("uniform_random", "meta_policy_unadapted", "meta_policy_adapted", "fresh_init_adapted",
        "best_arm")) {
      double m = r.getAsJsonObject(k).get("mean").getAsDouble();
      assertTrue(m >= 0 && m <= 1, k + " " + m);
    }
    assertTrue(Files.exists(dir.resolve("bandit-eval.json")));
    assertTrue(Files.exists(dir.resolve("maml/selected-policy.json")));
    RunConfig recorded = RunConfig.read(dir.resolve("maml/config.json"));
    assertEquals(run("environments/bandit-k5.json", 3, 1).config(), recorded);
    assertEquals(Path.of("environments/bandit-k5.json").toAbsolutePath().normalize().toString(), recorded.env().file());
    assertEquals(2, r.getAsJsonArray("validation_curve").size());
    int selected = r.get("selected_iteration").getAsInt();
    assertTrue(selected == 2 || selected == 3, "selected " + selected);
  }

  @Test
  void when_a_policy_is_uniform_expect_the_mean_arm_value() {
    BernoulliBandit bandit = new BernoulliBandit(4, 3);
    Policy p = Policies.create(new PolicySpec("categorical-mlp", new int[] {4}, "relu", 1, 1e-6),
        bandit.observationSpace(), bandit.actionSpace());
    // Zero weights: equal logits.
    Params zero = p.init(new SplittableRandom(1), DataType.DOUBLE).map(t -> io.maml4j.autodiff.Tensor.variable(
        t.value().mul(0)));
    double[] e = BanditExperiment.expected(p, zero, List.of(BernoulliBandit.task(new double[] {0.1, 0.2, 0.3, 1.0})), 3);
    assertEquals(3 * 0.4, e[0], 1e-12);
  }
}
