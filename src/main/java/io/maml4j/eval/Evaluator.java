package io.maml4j.eval;

import io.maml4j.autodiff.Arena;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.meta.Batch;
import io.maml4j.meta.InnerLoop;
import io.maml4j.meta.TaskLoss;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.work.BatchCollector;
import io.maml4j.work.RolloutCollector;
import io.maml4j.work.Seeds;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * The one evaluation protocol, cbfinn/maml_rl's test scripts: for every held-out task, sample
 * {@code episodes} episodes, score them, take one inner-loop step (the REINFORCE step of Finn et
 * al. 2017, Equation 4, with per-task linear-baseline advantages, or the run's DiCE step) with step
 * size α (then α/2), and repeat. Every task family runs it: the data step is a {@link BatchCollector} (episodes, or a
 * regression task's fixed K examples) and the figure recorded is a {@link Scorer}'s.
 *
 * <p>The test tasks come from a stream split off the test seed, and every task samples from its
 * own stream of (test seed, task index), so every method evaluated with the same config faces the
 * same tasks and a task's numbers do not depend on the others.
 */
public final class Evaluator {
  private final TaskDistribution distribution;
  private final EvalConfig config;
  private final BatchCollector collector;
  private final TaskLoss loss;
  private final double[] stepSizes;
  private final Scorer scorer;

  /**
   * The RL protocol: fresh episodes each step, scored by their mean return, α for the first step
   * and α/2 after, each step the inner step of {@code config.innerEstimator()} (with DiCE, the
   * episodes also keep their rewards and baseline values, which its loss needs).
   */
  public Evaluator(TaskDistribution distribution, EvalConfig config, DataType type) {
    this(distribution, config, new RolloutCollector(distribution, config.episodes(), config.gamma(),
        config.gaeLambda(), type, config.innerLoss() == TaskLoss.DICE), config.innerLoss(), schedule(config),
        Scorer.SAMPLED);
  }

  /**
   * The protocol with another data step, inner loss, step sizes or score.
   *
   * @param collector samples a task with its current parameters; one whose data does not depend
   *     on them (labelled examples) is sampled once and every step fine-tunes on the same data
   * @param stepSizes α of step s is {@code stepSizes[s]}, the last repeating
   */
  public Evaluator(TaskDistribution distribution, EvalConfig config, BatchCollector collector, TaskLoss loss,
      double[] stepSizes, Scorer scorer) {
    this.distribution = distribution;
    this.config = config;
    this.collector = collector;
    this.loss = loss;
    this.stepSizes = stepSizes.clone();
    this.scorer = scorer;
  }

  private static double[] schedule(EvalConfig config) {
    double[] sizes = new double[Math.max(1, config.steps())];
    for (int s = 0; s < sizes.length; s++) {
      sizes[s] = config.stepSize(s);
    }
    return sizes;
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
   */
  public record Result(Curve curve, List<Params> stepParams) {}

  /**
   * One task's outcome after 0, 1, ... steps: its score, its parameters ([1, ...]) and the data
   * sampled with them (the batch step s adapted on).
   */
  public record TaskResult(double[] scores, List<Params> stepParams, List<BatchCollector.Collected> stepData) {}

  /** Fine-tunes shared parameters θ on the test tasks. */
  public Result fineTune(String label, Policy policy, Params theta) {
    return fineTune(label, policy, theta, testTasks());
  }

  /**
   * Fine-tunes θ on {@code tasks}, each independently; {@code stepParams.get(s)} are the per-task
   * parameters after s gradient steps (stacked, leading axis of size tasks.size()).
   */
  public Result fineTune(String label, Policy policy, Params theta, List<Task> tasks) {
    List<TaskResult> results = new ArrayList<>(tasks.size());
    for (int i = 0; i < tasks.size(); i++) {
      results.add(fineTuneTask(policy, theta, tasks.get(i), i));
    }
    return assemble(label, results);
  }

  /**
   * The outcome of per-task results, task i's at index i, wherever they were computed (see
   * {@link EvaluationUnits} for the held-out tasks on an executor's threads or workers).
   */
  static Result assemble(String label, List<TaskResult> results) {
    int steps = results.get(0).scores().length;
    double[][] returns = new double[steps][results.size()];
    List<List<Params>> perStep = new ArrayList<>();
    for (int s = 0; s < steps; s++) {
      perStep.add(new ArrayList<>(results.size()));
    }
    for (int i = 0; i < results.size(); i++) {
      TaskResult r = results.get(i);
      for (int s = 0; s < steps; s++) {
        returns[s][i] = r.scores()[s];
        perStep.get(s).add(r.stepParams().get(s));
      }
    }
    List<Params> stacked = new ArrayList<>();
    for (List<Params> ps : perStep) {
      stacked.add(Params.stack(ps));
    }
    return new Result(new Curve(label, returns), List.copyOf(stacked));
  }

  /**
   * Fine-tunes θ on one task, the protocol's unit of work: a pure function of (θ, the task, its
   * index, the config), so it can run on any thread or machine.
   */
  public TaskResult fineTuneTask(Policy policy, Params theta, Task task, int index) {
    SplittableRandom rng = taskRandom(index);
    InnerLoop inner = innerLoop(policy);
    double[] scores = new double[config.steps() + 1];
    List<Params> params = new ArrayList<>(config.steps() + 1);
    List<BatchCollector.Collected> sampled = new ArrayList<>(config.steps() + 1);
    try (Arena arena = Arena.open()) {
      Params p = theta.detach().repeatPerTask(1);
      BatchCollector.Collected data = null;
      for (int s = 0; s <= config.steps(); s++) {
        params.add(p.map(arena::escape));
        if (data == null || collector.dependsOnParams()) {
          data = collector.collect(policy, p, task, rng);
        }
        scores[s] = scorer.score(policy, p, task, index, data);
        Batch b = data.batch();
        // The episodes' time structure too: it is what a DiCE step adapted on.
        Batch.Episodic ep = b.episodic() == null ? null : new Batch.Episodic(arena.escape(b.episodic().discountedRewards()),
            arena.escape(b.episodic().discountedValues()), arena.escape(b.episodic().valid()), b.episodic().horizon());
        sampled.add(new BatchCollector.Collected(new Batch(arena.escape(b.observations()), arena.escape(b.actions()),
            arena.escape(b.advantages()), arena.escape(b.weights()), ep, b.tasks(), b.totalTasks()), data.scores(),
            data.steps()));
        if (s < config.steps()) {
          p = inner.step(s).adapt(p, data.batch(), false).params();
        }
      }
    }
    return new TaskResult(scores, List.copyOf(params), List.copyOf(sampled));
  }

  /** The evaluation's inner loop: one step of the schedule's size per batch. */
  public InnerLoop innerLoop(Policy policy) {
    return new InnerLoop(policy, loss, stepSizes, 1);
  }

  /** Task {@code index}'s sampling stream: split off the test seed after the task stream. */
  private SplittableRandom taskRandom(int index) {
    SplittableRandom root = new SplittableRandom(config.testSeed());
    root.split();
    return Seeds.task(root.nextLong(), 0, index);
  }
}
