package io.maml4j.gym;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.IterationMetrics;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import io.maml4j.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Meta-training 2D navigation through the server gives the in-process metrics, bit for bit. */
class MetaTrainingOverHttpTest {
  private static final TrainConfig SMALL = TrainConfig.defaults().toBuilder().metaBatchSize(2)
      .fastBatchSize(2).numBatches(2).seed(7).build();

  /** The metrics that do not depend on timing. */
  private record Figures(int iteration, double preReturn, double postReturn, double lossBefore, double lossAfter,
      double kl, boolean accepted, int lineSearchSteps, long envSteps, long totalEnvSteps) {
    static Figures of(IterationMetrics m) {
      return new Figures(m.iteration(), m.preReturn(), m.postReturn(), m.lossBefore(), m.lossAfter(), m.kl(),
          m.accepted(), m.lineSearchSteps(), m.envSteps(), m.totalEnvSteps());
    }
  }

  private static List<Figures> train(TaskDistribution dist, TrainConfig cfg) {
    Policy policy = Policies.create(PolicySpec.defaultGaussian(), dist.observationSpace(), dist.actionSpace());
    Trainer trainer = new Trainer(dist, policy, cfg);
    List<Figures> out = new ArrayList<>();
    trainer.run(trainer.initialParams(), 0, 0, List.of(new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics m, Params theta) {
        out.add(Figures.of(m));
      }
    }));
    return out;
  }

  private static TaskDistribution remote(String url, String batch) {
    return EnvRegistry.standard().create(Fields.parse("test spec", "{\"env\": \"gym-http\", \"url\": \"" + url + "\", "
        + "\"env_id\": \"navigation-2d\", \"horizon\": 20, \"batch\": \"" + batch + "\", "
        + "\"tasks\": {\"env\": \"navigation-2d\"}}"));
  }

  @Test
  void when_metaTrainingThroughTheServer_expect_exactlyTheInProcessMetrics() throws Exception {
    List<Figures> local = train(new Navigation2D(-0.5, 0.5, 20), SMALL);
    try (GymHttpServer server = GymHttpServer.builder().optPort(0).start()) {
      TaskDistribution batched = remote(server.url(), "always");
      assertInstanceOf(RemoteTaskDistribution.class, batched);
      assertEquals(local, train(batched, SMALL));
      // The plain protocol (what a stock server gets) gives the same first iteration.
      TrainConfig one = SMALL.toBuilder().numBatches(1).build();
      assertEquals(local.subList(0, 1), train(remote(server.url(), "never"), one));
      assertEquals(0, server.liveInstances(), "instances left open: " + server.liveInstances());
    }
    assertTrue(local.get(0).envSteps() > 0);
  }
}
