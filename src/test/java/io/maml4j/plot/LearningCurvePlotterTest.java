package io.maml4j.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.RunDirectory;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearningCurvePlotterTest {
  @TempDir
  Path dir;

  @Test
  void when_training_ends_expect_learning_curve_in_plots() throws Exception {
    Navigation2D nav = new Navigation2D(-0.5, 0.5, 5);
    PolicySpec spec = new PolicySpec("gaussian-mlp", new int[] {4}, "tanh", 1.0, 1e-6);
    Policy policy = Policies.create(spec, nav.observationSpace(), nav.actionSpace());
    TrainConfig cfg = TrainConfig.defaults().toBuilder().metaBatchSize(2).fastBatchSize(2).numBatches(3)
        .dtype("float64").seed(3).build();
    Trainer trainer = new Trainer(nav, policy, cfg);
    RunDirectory run = new RunDirectory(dir.resolve("run"), spec);
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    LearningCurvePlotter plotter = new LearningCurvePlotter(run.dir(), new ChartOptions(300, 200, false),
        new PrintStream(log, true));
    trainer.run(trainer.initialParams(), 0, 0, List.of(run, plotter));
    assertTrue(Files.exists(plotter.output()), log.toString());
    assertEquals(300, ImageIO.read(plotter.output().toFile()).getWidth());
    // One CSV row per iteration and metric, plus the header.
    assertEquals(1 + 3 * 2, Files.readAllLines(run.dir().resolve("plots/learning-curve.csv")).size());
  }

  @Test
  void when_run_has_no_metrics_expect_warning_not_failure() {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    LearningCurvePlotter plotter = new LearningCurvePlotter(dir.resolve("none"), new PrintStream(log, true));
    plotter.onEnd(null);
    assertFalse(Files.exists(plotter.output()));
    assertTrue(log.toString().contains("warning: no learning curve drawn"), log.toString());
  }
}
