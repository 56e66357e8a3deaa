package io.maml4j.experiments;

import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.Evaluator;
import io.maml4j.eval.Scorer;
import io.maml4j.eval.Stats;
import io.maml4j.work.BatchCollector;
import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import io.maml4j.meta.Adaptation;
import io.maml4j.meta.Batch;
import io.maml4j.meta.InnerLoop;
import io.maml4j.meta.TaskLoss;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.sampler.ExampleSampler;
import io.maml4j.sampler.Examples;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The few-shot regression test of the MAML paper (Section 5.1): on held-out tasks, fine-tune a
 * model by gradient descent on K examples and measure the mean squared error on fresh points of
 * the same task after each step. Tasks and examples come from a fixed seed, so every model is
 * scored on the same data.
 */
public final class FewShotRegression {
  private final SupervisedTaskDistribution distribution;
  private final List<Task> tasks;
  private final Examples train;
  private final Examples test;

  /**
   * @param shots K, the examples each task gives for fine-tuning
   * @param testPoints fresh points per task on which the error is measured
   */
  public FewShotRegression(SupervisedTaskDistribution distribution, int numTasks, int shots, int testPoints,
      long seed) {
    if (numTasks < 1 || shots < 1 || testPoints < 1) {
      throw new IllegalArgumentException("tasks, shots and test points must be at least 1, got " + numTasks + ", "
          + shots + " and " + testPoints);
    }
    SplittableRandom rng = new SplittableRandom(seed);
    this.distribution = distribution;
    this.tasks = distribution.sample(numTasks, rng.split());
    ExampleSampler sampler = new ExampleSampler(distribution);
    this.train = sampler.sample(tasks, shots, rng.split());
    this.test = sampler.sample(tasks, testPoints, rng.split());
  }

  public List<Task> tasks() {
    return tasks;
  }

  /** The K fine-tuning examples of every task. */
  public Examples train() {
    return train;
  }

  public int shots() {
    return train.perTask();
  }

  /**
   * Mean squared error on the test points of each task after 0..steps plain gradient steps of
   * size {@code lr} on its K examples: [steps + 1][tasks]. The evaluation protocol's
   * ({@link Evaluator}) with the task's K examples as its data, every step on the same examples
   * as the paper does, and minus the error on the test points as its score.
   */
  public double[][] errors(Policy model, Params theta, double lr, int steps) {
    DataType type = theta.list().get(0).dataType();
    Batch trainBatch = Batch.supervised(train, type);
    Batch testBatch = Batch.supervised(test, type);
    java.util.Map<Task, Integer> index = new java.util.IdentityHashMap<>();
    for (int i = 0; i < tasks.size(); i++) {
      index.put(tasks.get(i), i);
    }
    BatchCollector shots = new BatchCollector() {
      @Override
      public Collected collect(Policy policy, Params params, Task task, SplittableRandom rng) {
        return new Collected(trainBatch.task(index.get(task)), Double.NaN, shots());
      }

      @Override
      public boolean dependsOnParams() {
        return false;
      }
    };
    Scorer testError = (policy, params, task, i, sampled) -> -perTaskError(policy, params, testBatch.task(i))[0];
    EvalConfig protocol = new EvalConfig(tasks.size(), 0, steps, shots(), lr, 1.0, 1.0);
    Evaluator.Result r = new Evaluator(distribution, protocol, shots, TaskLoss.MSE, new double[] {lr}, testError)
        .fineTune("regression", model, theta, tasks);
    double[][] out = new double[steps + 1][];
    for (int s = 0; s <= steps; s++) {
      out[s] = r.curve().taskReturns()[s].clone();
      for (int i = 0; i < out[s].length; i++) {
        out[s][i] = -out[s][i];
      }
    }
    return out;
  }

  /**
   * Predictions at {@code inputs} of the model adapted to each task for 0..steps steps:
   * [steps + 1][tasks][inputs].
   */
  public double[][][] predictions(Policy model, Params theta, double lr, int steps, double[] inputs) {
    DataType type = theta.list().get(0).dataType();
    int t = tasks.size();
    double[] x = new double[t * inputs.length];
    for (int i = 0; i < t; i++) {
      System.arraycopy(inputs, 0, x, i * inputs.length, inputs.length);
    }
    double[][][] out = new double[steps + 1][t][inputs.length];
    try (Arena arena = Arena.open()) {
      Adaptation a = adapt(model, theta, lr, steps);
      Tensor xs = Tensor.of(x, type, t, inputs.length, 1);
      for (int s = 0; s <= steps; s++) {
        double[] y;
        try (Tape.Scope ng = Tape.noGrad()) {
          y = model.forward(at(a, s), xs).mode();
        }
        for (int i = 0; i < t; i++) {
          System.arraycopy(y, i * inputs.length, out[s][i], 0, inputs.length);
        }
      }
    }
    return out;
  }

  private Adaptation adapt(Policy model, Params theta, double lr, int steps) {
    Batch trainBatch = Batch.supervised(train, theta.list().get(0).dataType());
    return new InnerLoop(model, TaskLoss.MSE, lr, steps).adapt(theta.detach().repeatPerTask(tasks.size()), trainBatch,
        false);
  }

  private static Params at(Adaptation a, int step) {
    return step < a.stepInputs().size() ? a.stepInputs().get(step) : a.params();
  }

  private static double[] perTaskError(Policy model, Params perTask, Batch b) {
    double[] pred;
    double[] y;
    try (Tape.Scope ng = Tape.noGrad()) {
      pred = model.forward(perTask, b.observations()).mode();
      y = b.actions().toDoubles();
    }
    int t = b.tasks();
    int n = pred.length / t;
    double[] out = new double[t];
    for (int i = 0; i < t; i++) {
      double s = 0;
      for (int j = 0; j < n; j++) {
        double d = pred[i * n + j] - y[i * n + j];
        s += d * d;
      }
      out[i] = s / n;
    }
    return out;
  }

  /**
   * Mean and the evaluation protocol's 95% Student-t half-width ({@link Stats#ci95}) of each row:
   * [rows][2].
   */
  public static double[][] meanAndCi(double[][] perTask) {
    double[][] out = new double[perTask.length][2];
    for (int s = 0; s < perTask.length; s++) {
      out[s][0] = Stats.mean(perTask[s]);
      out[s][1] = Stats.ci95(perTask[s]);
    }
    return out;
  }
}
