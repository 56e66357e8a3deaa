package io.maml4j.eval;

import com.google.gson.JsonObject;
import io.maml4j.env.Task;
import io.maml4j.meta.TaskLoss;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.vision.EpisodeCollector;
import io.maml4j.vision.FewShotClassification;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The evaluation protocol for N-way K-shot classification (Finn et al. 2017, Section 5.2): on
 * each held-out task, fine-tune on the K support images per class by steps of the cross-entropy,
 * every one of size α (the paper's test steps share the training step size), and record the
 * accuracy on the task's Q query images after 0..N steps. The same {@link Evaluator} as every
 * other family, with the classification data step and score plugged in; MAML and the baselines
 * (a network from its random initialisation, a pretrained one under a fresh head) differ only in
 * the parameters they start from.
 */
public final class FewShotProtocol {
  private FewShotProtocol() {}

  /**
   * @param tasks the meta-test (or validation) tasks' distribution: its split, N, K and Q
   * @param config tasks, test seed, steps and α; its episode count is unused (a task's data is
   *     its one episode)
   */
  public static Evaluator evaluator(FewShotClassification tasks, EvalConfig config, DataType type) {
    EpisodeCollector episodes = new EpisodeCollector(tasks, TaskLoss.CROSS_ENTROPY, type);
    return new Evaluator(tasks, config, episodes, TaskLoss.CROSS_ENTROPY, new double[] {config.fastLr()},
        new QueryAccuracy(episodes));
  }

  /**
   * The protocol as a report records it: tasks, seed, steps, the one step size of every step (a
   * tuned baseline's own is in its source), and the tasks' N, K, Q and class split. Nothing of
   * the policy-gradient protocol (episodes, discount, GAE, the halved later steps) applies.
   */
  public static JsonObject toJson(FewShotClassification tasks, EvalConfig config) {
    JsonObject o = new JsonObject();
    o.addProperty("test_tasks", config.tasks());
    o.addProperty("test_seed", config.testSeed());
    o.addProperty("gradient_steps", config.steps());
    o.addProperty("step_size", config.fastLr());
    o.addProperty("ways", tasks.ways());
    o.addProperty("shots", tasks.shots());
    o.addProperty("queries_per_class", tasks.queries());
    o.addProperty("split", tasks.split());
    o.addProperty("score", "query accuracy (task_returns and mean_return hold accuracies in [0, 1])");
    return o;
  }

  /**
   * The accuracy curve of {@code start} over the evaluator's test tasks, task by task through
   * {@link Evaluator#fineTuneTask}; unlike {@link Evaluator#fineTune} it keeps only the scores,
   * not every task's parameters after every step (600 tasks of a 4 x 64 network would hold a
   * gigabyte).
   */
  public static Curve curve(Evaluator evaluator, String label, Policy policy, Params start) {
    List<Task> tasks = evaluator.testTasks();
    double[][] acc = new double[evaluator.config().steps() + 1][tasks.size()];
    for (int i = 0; i < tasks.size(); i++) {
      double[] s = evaluator.fineTuneTask(policy, start, tasks.get(i), i).scores();
      for (int step = 0; step < s.length; step++) {
        acc[step][i] = s[step];
      }
    }
    return new Curve(label, acc);
  }

  /**
   * A tuned baseline's step size: of {@code candidates}, the one whose accuracy after the last
   * step over {@code validation}'s tasks is highest (the first on ties), so the choice never
   * sees a meta-test task.
   */
  public static double bestStepSize(FewShotClassification validation, EvalConfig config, DataType type, Policy policy,
      Params start, double[] candidates) {
    if (candidates.length == 0) {
      throw new IllegalArgumentException("no step sizes to choose from");
    }
    double best = candidates[0];
    double bestAcc = Double.NEGATIVE_INFINITY;
    for (double lr : candidates) {
      EvalConfig c = new EvalConfig(config.tasks(), config.testSeed(), config.steps(), config.episodes(), lr,
          config.gamma(), config.gaeLambda());
      double a = curve(evaluator(validation, c, type), "tune", policy, start).mean(config.steps());
      if (a > bestAcc) {
        bestAcc = a;
        best = lr;
      }
    }
    return best;
  }
}
