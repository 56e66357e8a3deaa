package io.maml4j.eval;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;

/**
 * One method's fine-tuning result: the average return of every test task after each number of
 * gradient steps.
 *
 * @param label the method's name, as shown in a legend
 * @param taskReturns [step][task] mean undiscounted episode return; step 0 is before any update
 */
public record Curve(String label, double[][] taskReturns) {
  public Curve {
    if (taskReturns.length == 0 || taskReturns[0].length == 0) {
      throw new IllegalArgumentException("a curve needs at least one step and one task");
    }
    double[][] copy = new double[taskReturns.length][];
    for (int s = 0; s < copy.length; s++) {
      if (taskReturns[s].length != taskReturns[0].length) {
        throw new IllegalArgumentException("step " + s + " has " + taskReturns[s].length + " tasks, step 0 has "
            + taskReturns[0].length);
      }
      copy[s] = taskReturns[s].clone();
    }
    taskReturns = copy;
  }

  @Override
  public double[][] taskReturns() {
    double[][] out = new double[taskReturns.length][];
    for (int s = 0; s < out.length; s++) {
      out[s] = taskReturns[s].clone();
    }
    return out;
  }

  /** Number of gradient steps (the curve has one more point). */
  public int steps() {
    return taskReturns.length - 1;
  }

  public int tasks() {
    return taskReturns[0].length;
  }

  /** Average return over tasks after {@code step} gradient steps. */
  public double mean(int step) {
    return Stats.mean(taskReturns[step]);
  }

  /** Sample standard deviation over tasks after {@code step} steps. */
  public double std(int step) {
    return Stats.std(taskReturns[step]);
  }

  /** Half-width of the 95% confidence interval of {@link #mean(int)} over tasks. */
  public double ci95(int step) {
    return Stats.ci95(taskReturns[step]);
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("label", label);
    JsonArray steps = new JsonArray();
    for (int s = 0; s <= steps(); s++) {
      JsonObject p = new JsonObject();
      p.addProperty("step", s);
      p.addProperty("mean_return", mean(s));
      p.addProperty("ci95", ci95(s));
      p.addProperty("std", std(s));
      p.addProperty("tasks", tasks());
      JsonArray per = new JsonArray();
      for (double r : taskReturns[s]) {
        per.add(r);
      }
      p.add("task_returns", per);
      steps.add(p);
    }
    o.add("steps", steps);
    return o;
  }
}
