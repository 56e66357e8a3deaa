package io.maml4j.work;

import io.maml4j.autodiff.Tape;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import io.maml4j.meta.Batch;
import io.maml4j.meta.TaskLoss;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.sampler.ExampleSampler;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Supervised data of a task (H = 1): K labelled examples; the score is minus the loss of the
 * parameters on them, so that "return" means the same thing (higher is better) for every task
 * family.
 */
public record ExampleCollector(ExampleSampler sampler, int examples, TaskLoss loss, DataType type)
    implements BatchCollector {
  public ExampleCollector {
    if (examples < 1) {
      throw new IllegalArgumentException("examples per task must be at least 1, got " + examples);
    }
  }

  public ExampleCollector(SupervisedTaskDistribution distribution, int examples, TaskLoss loss, DataType type) {
    this(new ExampleSampler(distribution), examples, loss, type);
  }

  @Override
  public Collected collect(Policy policy, Params params, Task task, SplittableRandom rng) {
    Batch b = Batch.supervised(sampler.sample(List.of(task), examples, rng), type);
    double score;
    try (Tape.Scope ng = Tape.noGrad()) {
      score = -loss.apply(policy, params, b).item();
    }
    return new Collected(b, score, examples);
  }

  @Override
  public boolean dependsOnParams() {
    return false;
  }
}
