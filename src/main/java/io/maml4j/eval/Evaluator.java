package io.maml4j.eval;

import io.maml4j.autodiff.Arena;
import io.maml4j.baseline.Advantages;
import io.maml4j.baseline.LinearFeatureBaseline;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.meta.Adaptation;
import io.maml4j.meta.Batch;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.VectorSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Fine-tunes a starting policy on held-out test tasks as cbfinn/maml_rl's test scripts do: for
 * every task, sample {@code episodes} episodes, record their average return, take one REINFORCE
 * step with the per-task linear-baseline advantages (the inner-loop gradient of Finn et al.
 * 2017, Equation 4) with step size α (then α/2), and repeat. All tasks are adapted
 * independently in one vectorised pass.
 *
 * <p>The test tasks and the sampling noise come from streams split off the test seed alone, so
 * every method evaluated with the same config faces the same tasks.
 */
public final class Evaluator {
  private final TaskDistribution distribution;
  private final EvalConfig config;
  private final DataType type;
  private final LinearFeatureBaseline baseline = new LinearFeatureBaseline();

  public Evaluator(TaskDistribution distribution, EvalConfig config, DataType type) {
    this.distribution = distribution;
    this.config = config;
    this.type = type;
  }

  public EvalConfig config() {
    return config;
  }

  /** The held-out test tasks: the first {@code config.tasks()} draws of the test-task stream. */
  public List<Task> testTasks() {
    return distribution.sample(config.tasks(), new SplittableRandom(config.testSeed()).split());
  }

  /**
   * The outcome of fine-tuning.
   *
   * @param stepParams per-task parameters after 0, 1, ... steps (leading axis of size tasks)
   * @param stepEpisodes the episodes sampled with each of {@code stepParams}
   */
  public record Result(Curve curve, List<Params> stepParams, List<Episodes> stepEpisodes) {}

  /** Fine-tunes shared parameters θ on the test tasks. */
  public Result fineTune(String label, Policy policy, Params theta) {
    return fineTune(label, policy, theta, testTasks());
  }

  /**
   * Fine-tunes θ on {@code tasks}; {@code stepParams.get(s)} are the per-task parameters after s
   * gradient steps (stacked, leading axis of size tasks.size()).
   */
  public Result fineTune(String label, Policy policy, Params theta, List<Task> tasks) {
    SplittableRandom rng = samplingRandom();
    VectorSampler sampler = new VectorSampler(distribution);
    Params p = theta.detach().repeatPerTask(tasks.size()).map(t -> t.detach());
    double[][] returns = new double[config.steps() + 1][];
    List<Params> params = new ArrayList<>();
    List<Episodes> episodes = new ArrayList<>();
    params.add(p);
    for (int s = 0; s <= config.steps(); s++) {
      Episodes ep = sampler.sample(policy, p, tasks, config.episodes(), rng);
      returns[s] = ep.taskReturns();
      episodes.add(ep);
      if (s == config.steps()) {
        break;
      }
      double[] adv = Advantages.compute(ep, config.gamma(), config.gaeLambda(), baseline, true);
      try (Arena arena = Arena.open()) {
        Batch b = Batch.of(ep, adv, type);
        Adaptation a = Adaptation.adapt(policy, p, b, new double[] {config.stepSize(s)}, 1, false);
        p = a.params().map(arena::escape);
      }
      params.add(p);
    }
    return new Result(new Curve(label, returns), List.copyOf(params), List.copyOf(episodes));
  }

  /** The sampling stream: split off the test seed after the task stream. */
  private SplittableRandom samplingRandom() {
    SplittableRandom root = new SplittableRandom(config.testSeed());
    root.split();
    return root.split();
  }
}
