package io.maml4j.work;

import io.maml4j.autodiff.Tape;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import io.maml4j.meta.Batch;
import io.maml4j.meta.TaskLoss;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.sampler.ExampleSampler;
import io.maml4j.sampler.Examples;
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
  public Collected collect(Policy policy, Params params, List<Task> tasks, List<SplittableRandom> rngs) {
    int n = tasks.size();
    java.util.List<double[]> xs = new java.util.ArrayList<>(n);
    java.util.List<double[]> ys = new java.util.ArrayList<>(n);
    int in = 0;
    int out = 0;
    for (int t = 0; t < n; t++) {
      Examples e = sampler.sample(List.of(tasks.get(t)), examples, rngs.get(t));
      xs.add(e.inputs());
      ys.add(e.targets());
      in = e.inputDim();
      out = e.targetDim();
    }
    Batch b = Batch.supervised(new Examples(tasks, examples, in, out, concat(xs), concat(ys)), type);
    return scored(policy, params, loss, b, examples);
  }

  /**
   * {@code b} with every task's score, minus its loss at its own parameters (a slice of {@code
   * params} when there are several tasks), and {@code examples} steps per task.
   */
  public static Collected scored(Policy policy, Params params, TaskLoss loss, Batch b, long examples) {
    int n = b.tasks();
    double[] scores = new double[n];
    long[] steps = new long[n];
    try (Tape.Scope ng = Tape.noGrad()) {
      for (int t = 0; t < n; t++) {
        int at = t;
        Params p = n == 1 ? params : params.map(x -> x.slice(at, at + 1));
        scores[t] = -loss.apply(policy, p, b.task(t)).item();
        steps[t] = examples;
      }
    }
    return new Collected(b, scores, steps);
  }

  private static double[] concat(List<double[]> parts) {
    int len = 0;
    for (double[] p : parts) {
      len += p.length;
    }
    double[] out = new double[len];
    int at = 0;
    for (double[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Override
  public boolean dependsOnParams() {
    return false;
  }
}
