package io.maml4j.experiments;

import io.maml4j.eval.Stats;
import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import io.maml4j.meta.Adaptation;
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
 * The few-shot regression test of the MAML paper (Section 5.1): on held-out tasks, fine-tune a
 * model by gradient descent on K examples and measure the mean squared error on fresh points of
 * the same task after each step. Tasks and examples come from a fixed seed, so every model is
 * scored on the same data.
 */
public final class FewShotRegression {
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
   * size {@code lr} on its K examples: [steps + 1][tasks].
   */
  public double[][] errors(Policy model, Params theta, double lr, int steps) {
    DataType type = theta.list().get(0).dataType();
    double[][] out = new double[steps + 1][];
    try (Arena arena = Arena.open()) {
      Batch testBatch = Batch.supervised(test, type);
      Adaptation a = adapt(model, theta, lr, steps);
      for (int s = 0; s <= steps; s++) {
        out[s] = perTaskError(model, at(a, s), testBatch);
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
    return Adaptation.adapt(model, TaskLoss.MSE, theta.detach().repeatPerTask(tasks.size()), trainBatch,
        new double[] {lr}, steps, false);
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
