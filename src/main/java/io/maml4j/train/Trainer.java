package io.maml4j.train;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Tape;
import io.maml4j.baseline.Advantages;
import io.maml4j.baseline.LinearFeatureBaseline;
import io.maml4j.env.ClassificationTaskDistribution;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.meta.Batch;
import io.maml4j.meta.MamlAdam;
import io.maml4j.meta.MamlTrpo;
import io.maml4j.meta.MetaLearner;
import io.maml4j.meta.TaskLoss;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.sampler.Episodes;
import io.maml4j.sampler.ExampleSampler;
import io.maml4j.sampler.Sampler;
import io.maml4j.sampler.VectorSampler;
import java.util.List;
import java.util.SplittableRandom;

/**
 * MAML meta-training (Finn et al. 2017, Algorithm 3). Iteration i draws all its randomness from
 * a stream derived from (seed, i) alone, so a run resumed from a checkpoint reproduces the
 * uninterrupted run exactly.
 *
 * <p>For a {@link SupervisedTaskDistribution} (H = 1) an iteration draws K labelled examples per
 * task for the inner step and K more for the outer step instead of sampling episodes; its
 * pre-adaptation return is minus the loss of θ on the first set and its post-adaptation return is
 * minus the meta-objective (for the MSE, minus the adapted models' mean squared error).
 */
public final class Trainer {
  private final TaskDistribution distribution;
  private final Policy policy;
  private final TrainConfig config;
  private final Sampler sampler;
  private final MetaLearner learner;
  private final LinearFeatureBaseline baseline = new LinearFeatureBaseline();

  private final ExampleSampler examples;
  private final TaskLoss loss;

  /** A trainer whose meta-learner is the one the config names ({@code meta_optimizer}, {@code loss}). */
  public Trainer(TaskDistribution distribution, Policy policy, TrainConfig config) {
    this(distribution, policy, config, metaLearner(policy, config));
  }

  /** A trainer with a given meta-learner, such as the joint-training baseline. */
  public Trainer(TaskDistribution distribution, Policy policy, TrainConfig config, MetaLearner learner) {
    this.distribution = distribution;
    this.policy = policy;
    this.config = config;
    this.sampler = new VectorSampler(distribution);
    this.learner = learner;
    this.loss = TaskLoss.named(config.loss());
    this.examples = distribution instanceof SupervisedTaskDistribution s ? new ExampleSampler(s) : null;
    String supervisedLoss = distribution instanceof ClassificationTaskDistribution ? "cross-entropy" : "mse";
    if (examples != null && !config.loss().equals(supervisedLoss)) {
      throw new IllegalArgumentException(distribution.name() + " is a supervised task: its train section needs"
          + " \"loss\": \"" + supervisedLoss + "\" and \"meta_optimizer\": \"adam\", got loss \"" + config.loss() + "\"");
    }
    if (config.loss().equals("mse") && !policy.spec().type().equals("deterministic-mlp")) {
      throw new IllegalArgumentException("loss \"mse\" needs a deterministic-mlp policy, got " + policy.spec().type());
    }
  }

  /** The meta-learner a config names: MAML-TRPO, or MAML with Adam on the configured loss. */
  public static MetaLearner metaLearner(Policy policy, TrainConfig config) {
    return metaLearner(policy, config, RunConfig.defaultThreads());
  }

  /** The meta-learner a config names, MAML-TRPO splitting its tasks over {@code threads} workers. */
  public static MetaLearner metaLearner(Policy policy, TrainConfig config, int threads) {
    return config.metaOptimizer().equals("adam")
        ? new MamlAdam(policy, TaskLoss.named(config.loss()), config.maml(), new Adam(config.metaLr()))
        : new MamlTrpo(policy, config.maml(), threads);
  }

  /** Fresh meta-parameters for this run's seed. */
  public Params initialParams() {
    return policy.init(new SplittableRandom(config.seed()), config.dataType());
  }

  /** The random stream of one iteration. */
  static SplittableRandom iterationRandom(long seed, int iteration) {
    return new SplittableRandom(new SplittableRandom(seed).split().nextLong() ^ (0x9E3779B97F4A7C15L * (iteration + 1)));
  }

  /** Runs iterations {@code start} .. numBatches-1 from θ and returns the final θ. */
  public Params run(Params theta, int start, long envStepsSoFar, List<TrainingListener> listeners) {
    for (TrainingListener l : listeners) {
      l.onStart(start, config.numBatches());
    }
    long total = envStepsSoFar;
    for (int it = start; it < config.numBatches(); it++) {
      IterationMetrics m;
      // Everything an iteration allocates is freed at its end; only the new θ is copied out.
      try (Arena arena = Arena.open()) {
        Outcome o = iteration(it, theta, total);
        m = o.metrics();
        theta = o.step().theta().map(arena::escape);
      }
      total = m.totalEnvSteps();
      // ND4J frees the native memory of arrays created outside arenas (inside ND4J's own ops,
      // escaped parameters) only when their small Java handles are collected, and the Java heap
      // barely fills, so without this resident memory grows by ~150 MB per 2D-navigation
      // iteration. A collection of the tiny heap costs tens of milliseconds: at most once a second.
      if (System.nanoTime() - lastCollection > 1_000_000_000L) {
        System.gc();
        lastCollection = System.nanoTime();
      }
      for (TrainingListener l : listeners) {
        l.onIteration(m, theta);
      }
    }
    for (TrainingListener l : listeners) {
      l.onEnd(theta);
    }
    return theta;
  }

  private long lastCollection = System.nanoTime();

  private record Outcome(MetaLearner.StepResult step, IterationMetrics metrics) {}

  private Outcome iteration(int it, Params theta, long total) {
    SplittableRandom rng = iterationRandom(config.seed(), it);
    long t0 = System.nanoTime();
    List<Task> tasks = distribution.sample(config.metaBatchSize(), rng);
    if (examples != null) {
      return supervised(it, theta, tasks, rng, t0, total);
    }
    Episodes pre = sampler.sample(policy, theta, tasks, config.fastBatchSize(), rng);
    Batch train = batch(pre);
    long t1 = System.nanoTime();
    Episodes post = pre;
    Batch valid = train;
    long t2 = t1;
    // With no inner step θ' = θ, so a second set of episodes would come from the same policy and
    // the first would go unused: one set serves as both (pytorch-maml-rl samples only the
    // validation episodes then), which halves the environment steps of the pretrained baseline.
    if (config.maml().innerSteps() > 0) {
      Params adapted = learner.adapt(theta, train);
      t2 = System.nanoTime();
      post = sampler.sample(policy, adapted, tasks, config.fastBatchSize(), rng);
      valid = batch(post);
    }
    long t3 = System.nanoTime();
    MetaLearner.StepResult step = learner.step(theta, train, valid);
    long t4 = System.nanoTime();
    long steps = pre.steps() + (post == pre ? 0 : post.steps());
    IterationMetrics m = new IterationMetrics(it, pre.meanReturn(), post.meanReturn(), step.lossBefore(),
        step.lossAfter(), step.kl(), step.accepted(), step.lineSearchSteps(),
        ((t1 - t0) + (t3 - t2)) / 1e9, (t2 - t1) / 1e9, (t4 - t3) / 1e9, steps, total + steps);
    return new Outcome(step, m);
  }

  /** One iteration on labelled examples. */
  private Outcome supervised(int it, Params theta, List<Task> tasks, SplittableRandom rng, long t0, long total) {
    Batch train = Batch.supervised(examples.sample(tasks, config.fastBatchSize(), rng), config.dataType());
    Batch valid = Batch.supervised(examples.sample(tasks, config.fastBatchSize(), rng), config.dataType());
    long t1 = System.nanoTime();
    double pre;
    try (Tape.Scope ng = Tape.noGrad()) {
      pre = -loss.apply(policy, theta, train).item() / tasks.size();
    }
    long t2 = System.nanoTime();
    MetaLearner.StepResult step = learner.step(theta, train, valid);
    long t3 = System.nanoTime();
    long steps = 2L * tasks.size() * config.fastBatchSize();
    IterationMetrics m = new IterationMetrics(it, pre, -step.lossBefore(), step.lossBefore(), step.lossAfter(),
        step.kl(), step.accepted(), step.lineSearchSteps(), (t1 - t0) / 1e9, (t2 - t1) / 1e9, (t3 - t2) / 1e9,
        steps, total + steps);
    return new Outcome(step, m);
  }

  private Batch batch(Episodes ep) {
    double[] adv = Advantages.compute(ep, config.gamma(), config.gaeLambda(), baseline, true);
    return Batch.of(ep, adv, config.dataType());
  }
}
