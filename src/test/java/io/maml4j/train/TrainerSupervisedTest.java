package io.maml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.Fields;
import io.maml4j.envs.BernoulliBandit;
import io.maml4j.envs.Sinusoid;
import io.maml4j.meta.MamlAdam;
import io.maml4j.meta.MamlConfig;
import io.maml4j.meta.TaskLoss;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The trainer on supervised (H = 1) and discrete-action tasks, with either outer step. */
class TrainerSupervisedTest {
  private static final PolicySpec SMALL_REGRESSOR = new PolicySpec("deterministic-mlp", new int[] {20, 20}, "relu", 1, 1e-6);

  private static List<IterationMetrics> run(Trainer trainer, Params theta) {
    List<IterationMetrics> out = new ArrayList<>();
    trainer.run(theta, 0, 0, List.of(new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics m, Params t) {
        out.add(m);
      }
    }));
    return out;
  }

  private static TrainConfig sinusoidConfig(int iterations) {
    return TrainConfig.defaults().merge(Fields.parse("t", "{\"meta_optimizer\": \"adam\", \"meta_lr\": 0.01,"
        + " \"loss\": \"mse\", \"meta_batch_size\": 10, \"fast_batch_size\": 10, \"fast_lr\": 0.01,"
        + " \"num_batches\": " + iterations + "}"));
  }

  @Test
  void when_meta_training_on_sinusoids_expect_the_post_adaptation_mse_to_fall_reproducibly() {
    Sinusoid s = Sinusoid.standard();
    Policy model = Policies.create(SMALL_REGRESSOR, s.observationSpace(), s.actionSpace());
    TrainConfig cfg = sinusoidConfig(150);
    Trainer trainer = new Trainer(s, model, cfg);
    List<IterationMetrics> m = run(trainer, trainer.initialParams());
    assertEquals(150, m.size());
    double early = 0;
    double late = 0;
    for (int i = 0; i < 20; i++) {
      early += m.get(i).postReturn() / 20;
      late += m.get(130 + i).postReturn() / 20;
    }
    assertTrue(late > early + 0.5, "post-adaptation return went from " + early + " to " + late);
    IterationMetrics last = m.get(149);
    assertEquals(-last.lossBefore(), last.postReturn());
    assertEquals(2L * 10 * 10 * 150, last.totalEnvSteps());
    // Same seed and config, same figures.
    Trainer again = new Trainer(s, model, sinusoidConfig(5));
    List<IterationMetrics> a = run(again, again.initialParams());
    for (int i = 0; i < 5; i++) {
      assertEquals(m.get(i).postReturn(), a.get(i).postReturn());
      assertEquals(m.get(i).preReturn(), a.get(i).preReturn());
    }
  }

  @Test
  void when_training_jointly_expect_the_same_loop_with_no_adaptation() {
    Sinusoid s = Sinusoid.standard();
    Policy model = Policies.create(SMALL_REGRESSOR, s.observationSpace(), s.actionSpace());
    TrainConfig cfg = sinusoidConfig(3);
    Trainer trainer = new Trainer(s, model, cfg, MamlAdam.jointTraining(model, TaskLoss.MSE, new Adam(0.01)));
    assertEquals(3, run(trainer, trainer.initialParams()).size());
  }

  @Test
  void when_the_loss_does_not_fit_the_task_or_model_expect_clear_errors() {
    Sinusoid s = Sinusoid.standard();
    Policy model = Policies.create(SMALL_REGRESSOR, s.observationSpace(), s.actionSpace());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Trainer(s, model, TrainConfig.defaults()));
    assertTrue(e.getMessage().contains("\"loss\": \"mse\""), e.getMessage());
    Policy gaussian = Policies.create(PolicySpec.defaultGaussian(), s.observationSpace(), s.actionSpace());
    e = assertThrows(IllegalArgumentException.class, () -> new Trainer(s, gaussian, sinusoidConfig(1)));
    assertTrue(e.getMessage().contains("deterministic-mlp"), e.getMessage());
  }

  @Test
  void when_meta_training_a_bandit_with_either_outer_step_expect_finite_metrics() {
    BernoulliBandit bandit = new BernoulliBandit(5, 1);
    Policy policy = Policies.create(new PolicySpec("categorical-mlp", new int[] {16}, "relu", 1, 1e-6),
        bandit.observationSpace(), bandit.actionSpace());
    TrainConfig trpo = TrainConfig.defaults().toBuilder().metaBatchSize(4).fastBatchSize(10).numBatches(3)
        .gamma(0.95).maml(new MamlConfig(0.5, 1, false, 0.01, 5, 1e-5, 10, 0.8)).seed(3).build();
    for (TrainConfig cfg : List.of(trpo, trpo.withMetaOptimizer("adam", 0.01, "reinforce"))) {
      Trainer trainer = new Trainer(bandit, policy, cfg);
      List<IterationMetrics> m = run(trainer, trainer.initialParams());
      assertEquals(3, m.size());
      for (IterationMetrics x : m) {
        assertTrue(x.preReturn() >= 0 && x.preReturn() <= 1 && x.postReturn() >= 0 && x.postReturn() <= 1);
        assertTrue(Double.isFinite(x.lossBefore()));
      }
    }
  }
}
