package io.maml4j.envs;

import io.maml4j.config.Fields;
import io.maml4j.env.Box;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The oracle of the MAML paper's comparisons (Finn et al. 2017, Section 5.2): the same task
 * distribution, but every observation has the task's parameters appended (for 2D navigation,
 * the goal), so a single policy trained on all tasks can solve each one without adapting.
 *
 * <p>The exposed parameters are the numeric ones (numbers and lists of numbers) named in
 * {@code params}, in that order. Tasks, rewards and dynamics are the base distribution's.
 */
public final class Oracle implements TaskDistribution {
  private final TaskDistribution base;
  private final List<String> params;
  private final int extra;

  /**
   * Wraps {@code base}, exposing {@code params}; each must be numeric in the base's tasks.
   *
   * @throws IllegalArgumentException if the base observations are not a flat Box or a
   *     parameter is missing or not numeric
   */
  public Oracle(TaskDistribution base, List<String> params) {
    if (!(base.observationSpace() instanceof Box b) || b.shape().length != 1) {
      throw new IllegalArgumentException("oracle needs a flat Box observation space, got " + base.observationSpace());
    }
    if (params.isEmpty()) {
      throw new IllegalArgumentException("oracle needs at least one task parameter to expose");
    }
    this.base = base;
    this.params = List.copyOf(params);
    // The sizes of the parameters are read off one task; every task of a distribution has the same.
    this.extra = exposed(base.sample(new SplittableRandom(0))).length;
  }

  /** Wraps {@code base}, exposing every numeric parameter of its tasks in their stored order. */
  public static Oracle of(TaskDistribution base) {
    Task probe = base.sample(new SplittableRandom(0));
    List<String> names = new ArrayList<>();
    probe.params().forEach((k, v) -> {
      if (v instanceof Number || v instanceof List<?>) {
        names.add(k);
      }
    });
    if (names.isEmpty()) {
      throw new IllegalArgumentException(base.name() + " tasks have no numeric parameter an oracle could see: "
          + probe.params());
    }
    return new Oracle(base, names);
  }

  /**
   * Builds an oracle from a spec {@code {"env": "oracle", "base": {...}, "params": [..]}}; the base
   * is any environment spec and {@code params} defaults to every numeric task parameter.
   */
  static TaskDistribution fromSpec(Fields spec) {
    TaskDistribution inner = EnvRegistry.standard().create(spec.object("base"));
    List<String> names = null;
    if (spec.has("params")) {
      var raw = spec.raw("params");
      names = new ArrayList<>();
      for (var e : raw.isJsonArray() ? raw.getAsJsonArray() : List.of(raw)) {
        if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isString())) {
          throw io.maml4j.config.ConfigException.field(spec.source(), "params", "a list of task parameter names", raw);
        }
        names.add(e.getAsString());
      }
    }
    spec.finish();
    return names == null ? of(inner) : new Oracle(inner, names);
  }

  /** The task parameters this oracle appends to observations. */
  public List<String> params() {
    return params;
  }

  /** The wrapped distribution. */
  public TaskDistribution base() {
    return base;
  }

  /** The values appended to every observation of {@code task}. */
  public double[] exposed(Task task) {
    List<Double> out = new ArrayList<>();
    for (String p : params) {
      Object v = task.params().get(p);
      if (v instanceof Number n) {
        out.add(n.doubleValue());
      } else if (v instanceof List<?>) {
        for (double d : task.vector(p)) {
          out.add(d);
        }
      } else {
        throw new IllegalArgumentException("oracle: task parameter '" + p + "' must be numeric, got " + v
            + " in " + task.params());
      }
    }
    return out.stream().mapToDouble(Double::doubleValue).toArray();
  }

  @Override
  public String name() {
    return base.name() + "-oracle";
  }

  @Override
  public java.util.Map<String, ParamRange> paramRanges() {
    return base.paramRanges();
  }

  @Override
  public Task sample(SplittableRandom rng) {
    return base.sample(rng);
  }

  @Override
  public Environment make(Task task) {
    double[] x = exposed(task);
    if (x.length != extra) {
      throw new IllegalArgumentException("oracle: task exposes " + x.length + " values, expected " + extra);
    }
    return new Env(base.make(task), x, observationSpace());
  }

  @Override
  public Space observationSpace() {
    Box b = (Box) base.observationSpace();
    double[] lo = Arrays.copyOf(b.low(), b.flatSize() + extra);
    double[] hi = Arrays.copyOf(b.high(), b.flatSize() + extra);
    Arrays.fill(lo, b.flatSize(), lo.length, Double.NEGATIVE_INFINITY);
    Arrays.fill(hi, b.flatSize(), hi.length, Double.POSITIVE_INFINITY);
    return new Box(new int[] {lo.length}, lo, hi);
  }

  @Override
  public Space actionSpace() {
    return base.actionSpace();
  }

  @Override
  public int horizon() {
    return base.horizon();
  }

  /** A base environment whose observations carry the task. Mutable through the base. */
  private static final class Env implements Environment {
    private final Environment inner;
    private final double[] task;
    private final Space obsSpace;

    Env(Environment inner, double[] task, Space obsSpace) {
      this.inner = inner;
      this.task = task;
      this.obsSpace = obsSpace;
    }

    private double[] withTask(double[] obs) {
      double[] out = Arrays.copyOf(obs, obs.length + task.length);
      System.arraycopy(task, 0, out, obs.length, task.length);
      return out;
    }

    @Override
    public Space observationSpace() {
      return obsSpace;
    }

    @Override
    public Space actionSpace() {
      return inner.actionSpace();
    }

    @Override
    public double[] reset(long seed) {
      return withTask(inner.reset(seed));
    }

    @Override
    public StepResult step(double[] action) {
      StepResult r = inner.step(action);
      return new StepResult(withTask(r.observation()), r.reward(), r.terminated(), r.truncated());
    }

    @Override
    public void close() {
      inner.close();
    }
  }
}
