package io.maml4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.envs.Navigation2D;
import io.maml4j.meta.MamlAdam;
import io.maml4j.meta.ProMp;
import io.maml4j.meta.ProMpConfig;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The methods after MAML-TRPO as a config selects them: ProMP, and the LVC and DiCE inner estimators. */
class TrainerMethodsTest {
  private final Navigation2D nav = new Navigation2D(-0.5, 0.5, 8);
  private final Policy policy = Policies.create(new PolicySpec("gaussian-mlp", new int[] {8}, "tanh", 1.0, 1e-6),
      nav.observationSpace(), nav.actionSpace());

  private TrainConfig config(String json) {
    return TrainConfig.defaults().toBuilder().metaBatchSize(3).fastBatchSize(2).numBatches(2).seed(3).build()
        .merge(Fields.parse("t", json));
  }

  private List<IterationMetrics> run(TrainConfig cfg) {
    Trainer t = new Trainer(nav, policy, cfg);
    List<IterationMetrics> out = new ArrayList<>();
    t.run(t.initialParams(), 0, 0, List.of(new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics m, Params theta) {
        out.add(m);
      }
    }));
    return out;
  }

  @Test
  void when_promp_is_named_expect_its_defaults_lvc_and_a_reproducible_run() {
    TrainConfig c = config("{\"meta_optimizer\": \"promp\"}");
    assertEquals("lvc", c.innerEstimator());
    assertEquals(ProMpConfig.defaults(), c.promp());
    assertEquals("lvc", c.toJson().get("inner_estimator").getAsString());
    assertEquals(c, TrainConfig.defaults().merge(Fields.parse("round trip", c.toJson().toString())));
    assertInstanceOf(ProMp.class, Trainer.metaLearner(policy, c));
    List<IterationMetrics> a = run(c);
    List<IterationMetrics> b = run(c);
    assertEquals(2, a.size());
    for (int i = 0; i < a.size(); i++) {
      IterationMetrics x = a.get(i);
      assertTrue(Double.isFinite(x.lossBefore()) && Double.isFinite(x.lossAfter()) && x.kl() >= 0, x.toString());
      assertEquals(5, x.lineSearchSteps());
      assertEquals(x.lossBefore(), b.get(i).lossBefore(), 0.0);
      assertEquals(x.postReturn(), b.get(i).postReturn(), 0.0);
    }
  }

  @Test
  void when_dice_lvc_or_exploration_run_expect_finite_steps() {
    for (String json : List.of("{\"meta_optimizer\": \"adam\", \"inner_estimator\": \"dice\"}",
        "{\"meta_optimizer\": \"adam\", \"inner_estimator\": \"lvc\"}",
        "{\"meta_optimizer\": \"promp\", \"inner_estimator\": \"dice\", \"kl_target\": 0.01}",
        "{\"exploration\": true}", "{\"inner_estimator\": \"dice\", \"exploration\": true}",
        "{\"inner_estimator\": \"lvc\"}")) {
      TrainConfig c = config(json).toBuilder().numBatches(1).build();
      for (IterationMetrics m : run(c)) {
        assertTrue(Double.isFinite(m.lossBefore()) && Double.isFinite(m.postReturn()), json + ": " + m);
      }
    }
    assertInstanceOf(MamlAdam.class, Trainer.metaLearner(policy, config("{\"meta_optimizer\": \"adam\"}")));
  }

  /** The metrics (wall times dropped) and final θ of a run on {@code threads} threads. */
  private List<String> runOn(TrainConfig cfg, int threads, List<double[]> theta) {
    Trainer t = new Trainer(nav, policy, cfg, Trainer.metaLearner(policy, cfg), Trainer.local(threads));
    List<String> lines = new ArrayList<>();
    theta.add(t.run(t.initialParams(), 0, 0, List.of(new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics m, Params p) {
        var o = m.toJson();
        o.remove("time_sampling");
        o.remove("time_adaptation");
        o.remove("time_meta_step");
        lines.add(o.toString());
      }
    })).flat());
    return lines;
  }

  @Test
  void when_threads_differ_expect_promp_and_e_maml_to_give_the_same_metrics_and_parameters_bit_for_bit() {
    // ProMP's tasks answer one by one and E-MAML's credits are standardised across the
    // meta-batch at the meta-step: neither may depend on how the executor splits the tasks.
    for (String json : List.of("{\"meta_optimizer\": \"promp\", \"kl_target\": 0.01}", "{\"exploration\": true}")) {
      TrainConfig c = config(json);
      List<double[]> theta = new ArrayList<>();
      List<String> one = runOn(c, 1, theta);
      assertEquals(2, one.size());
      assertEquals(one, runOn(c, 2, theta), json);
      org.junit.jupiter.api.Assertions.assertArrayEquals(theta.get(0), theta.get(1), 0, json);
    }
  }

  @Test
  void when_dice_or_exploration_is_configured_expect_a_collector_recording_the_rewards() {
    for (String[] c : new String[][] {{"{}", "false"}, {"{\"inner_estimator\": \"lvc\"}", "false"},
        {"{\"inner_estimator\": \"dice\"}", "true"}, {"{\"exploration\": true}", "true"},
        {"{\"meta_optimizer\": \"promp\", \"inner_estimator\": \"dice\"}", "true"}}) {
      var collector = assertInstanceOf(io.maml4j.work.RolloutCollector.class, Trainer.collector(nav, config(c[0])));
      assertEquals(Boolean.parseBoolean(c[1]), collector.episodic(), c[0]);
    }
  }

  @Test
  void when_promp_settings_are_wrong_expect_one_line_errors_naming_the_field() {
    for (String[] bad : new String[][] {
        {"{\"meta_optimizer\": \"promp\", \"promp_steps\": 0}", "promp_steps"},
        {"{\"meta_optimizer\": \"promp\", \"clip_eps\": 1}", "clip_eps must be in (0, 1), got 1.0"},
        {"{\"kl_coeff\": -1}", "kl_coeff"},
        {"{\"meta_optimizer\": \"promp\", \"num_steps\": 0}", "needs num_steps at least 1"},
        {"{\"meta_optimizer\": \"adam\", \"loss\": \"mse\", \"exploration\": true}", "exploration"},
        {"{\"meta_optimizer\": \"promp\", \"exploration\": true}", "needs meta_optimizer \"trpo\""}}) {
      ConfigException e = assertThrows(ConfigException.class, () -> config(bad[0]));
      assertTrue(e.getMessage().startsWith("t: ") && e.getMessage().contains(bad[1]) && !e.getMessage().contains("\n"),
          e.getMessage());
    }
  }
}
