package io.maml4j.eval;

import io.maml4j.autodiff.Arena;
import io.maml4j.env.Task;
import io.maml4j.meta.TaskReply;
import io.maml4j.meta.TaskRequest;
import io.maml4j.meta.TaskWork;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.work.TaskExecutor;
import io.maml4j.work.UnitFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The evaluation protocol as units of work, so that held-out tasks run through the same
 * executors as training (threads of this process, or the workers of a cluster): unit {@code i}
 * is {@link Evaluator#fineTuneTask} of test task {@code i}. One round: the request carries θ,
 * each unit answers its scores after 0..steps gradient steps as values and its parameters after
 * each step, flattened one after the other, as the vector. Plain values both ways, so the same
 * numbers come back from any thread or machine.
 */
public final class EvaluationUnits implements UnitFactory {
  /** The one operation: fine-tune on the task from the θ the request carries. */
  public static final String OP = "eval.finetune";

  private final Evaluator evaluator;
  private final Policy policy;
  private final Params template;
  private final List<Task> tasks;

  /**
   * @param template parameters with the policy's names, shapes and dtype (their values are unused)
   */
  public EvaluationUnits(Evaluator evaluator, Policy policy, Params template) {
    this.evaluator = evaluator;
    this.policy = policy;
    this.template = template;
    // Drawn once here: the same draws the driver's testTasks() makes, from the config's test seed.
    this.tasks = List.copyOf(evaluator.testTasks());
  }

  /** The held-out tasks, unit {@code i} fine-tuning on task {@code i}. */
  public int tasks() {
    return tasks.size();
  }

  @Override
  public TaskWork open(int iteration, int task) {
    if (task < 0 || task >= tasks.size()) {
      throw new IllegalArgumentException("test task " + task + " outside the " + tasks.size() + " held-out tasks");
    }
    return request -> {
      if (!request.op().equals(OP)) {
        throw new IllegalArgumentException("an evaluation unit answers '" + OP + "', not '" + request.op() + "'");
      }
      // Everything the fine-tuning makes is freed here; only the plain values leave.
      try (Arena arena = Arena.open()) {
        Params theta = template.withFlat(request.vector(), template.list().get(0).dataType());
        Evaluator.TaskResult r = evaluator.fineTuneTask(policy, theta, tasks.get(task), task);
        double[][] flats = new double[r.stepParams().size()][];
        int total = 0;
        for (int s = 0; s < flats.length; s++) {
          flats[s] = r.stepParams().get(s).flat();
          total += flats[s].length;
        }
        double[] vector = new double[total];
        for (int s = 0, at = 0; s < flats.length; at += flats[s].length, s++) {
          System.arraycopy(flats[s], 0, vector, at, flats[s].length);
        }
        return new TaskReply(r.scores(), vector);
      }
    };
  }

  /**
   * Fine-tunes θ on every held-out task through an executor made for these units, and returns
   * what {@link Evaluator#fineTune(String, Policy, Params)} returns in this process (without the
   * sampled data, which stays where it was sampled).
   */
  public Evaluator.Result fineTune(String label, Params theta, Function<UnitFactory, TaskExecutor> executors) {
    List<TaskReply> replies;
    try (TaskExecutor executor = executors.apply(this);
        TaskExecutor.Iteration it = executor.begin(0, tasks.size())) {
      replies = it.send(new TaskRequest(OP, theta.flat()));
    }
    List<Evaluator.TaskResult> results = new ArrayList<>(replies.size());
    int perStep = Math.toIntExact(template.size());
    // The shapes of one task's parameters, [1, ...], as fineTuneTask gives them.
    Params oneTask = template.repeatPerTask(1);
    for (int i = 0; i < replies.size(); i++) {
      TaskReply r = replies.get(i);
      int steps = r.values().length;
      if (r.vector().length != steps * perStep) {
        throw new IllegalStateException("test task " + i + " answered " + r.vector().length + " parameter values, expected "
            + steps + " x " + perStep);
      }
      List<Params> params = new ArrayList<>(steps);
      for (int s = 0; s < steps; s++) {
        double[] flat = java.util.Arrays.copyOfRange(r.vector(), s * perStep, (s + 1) * perStep);
        params.add(oneTask.withFlat(flat, oneTask.list().get(0).dataType()));
      }
      results.add(new Evaluator.TaskResult(r.values(), params, List.of()));
    }
    return Evaluator.assemble(label, results);
  }
}
