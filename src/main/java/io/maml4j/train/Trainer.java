package io.maml4j.train;

import io.maml4j.autodiff.Arena;
import io.maml4j.env.ClassificationTaskDistribution;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.TaskDistribution;
import io.maml4j.meta.InnerLoop;
import io.maml4j.meta.MamlAdam;
import io.maml4j.meta.MamlConfig;
import io.maml4j.meta.MamlTrpo;
import io.maml4j.meta.MetaLearner;
import io.maml4j.meta.ProMp;
import io.maml4j.meta.TaskChannel;
import io.maml4j.meta.TaskLoss;
import io.maml4j.meta.TaskReply;
import io.maml4j.meta.TaskRequest;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.vision.EpisodeCollector;
import io.maml4j.vision.FewShotClassification;
import io.maml4j.work.BatchCollector;
import io.maml4j.work.ExampleCollector;
import io.maml4j.work.LocalExecutor;
import io.maml4j.work.RolloutCollector;
import io.maml4j.work.TaskExecutor;
import io.maml4j.work.TrainingUnits;
import io.maml4j.work.UnitFactory;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * MAML meta-training (Finn et al. 2017, Algorithm 3; Algorithm 2 for supervised tasks). Each
 * iteration is a set of per-task units ({@link TrainingUnits}) that sample, adapt and answer the
 * meta-learner's requests, run by a {@link TaskExecutor}; the meta-learner reduces their replies
 * in task order. Every task's randomness comes from (seed, iteration, task index) alone
 * ({@link io.maml4j.work.Seeds}), so the numbers are the same at any thread count and a run
 * resumed from a checkpoint reproduces the uninterrupted run exactly.
 */
public final class Trainer {
  private final Policy policy;
  private final TrainConfig config;
  private final MetaLearner learner;
  private final UnitFactory units;
  private final Function<UnitFactory, TaskExecutor> executors;

  /** A trainer whose meta-learner is the one the config names, on the default thread count. */
  public Trainer(TaskDistribution distribution, Policy policy, TrainConfig config) {
    this(distribution, policy, config, metaLearner(policy, config));
  }

  /** A trainer with a given meta-learner, such as the joint-training baseline, on the default thread count. */
  public Trainer(TaskDistribution distribution, Policy policy, TrainConfig config, MetaLearner learner) {
    this(distribution, policy, config, learner, local(RunConfig.defaultThreads()));
  }

  /**
   * @param executors makes the executor of a run from the units it is to run; it lives for one
   *     {@link #run} and is closed at its end
   */
  public Trainer(TaskDistribution distribution, Policy policy, TrainConfig config, MetaLearner learner,
      Function<UnitFactory, TaskExecutor> executors) {
    String supervisedLoss = distribution instanceof ClassificationTaskDistribution ? "cross-entropy" : "mse";
    if (distribution instanceof SupervisedTaskDistribution && !config.loss().equals(supervisedLoss)) {
      throw new IllegalArgumentException(distribution.name() + " is a supervised task: its train section needs"
          + " \"loss\": \"" + supervisedLoss + "\" and \"meta_optimizer\": \"adam\", got loss \"" + config.loss() + "\"");
    }
    if (config.loss().equals("mse") && !policy.spec().type().equals("deterministic-mlp")) {
      throw new IllegalArgumentException("loss \"mse\" needs a deterministic-mlp policy, got " + policy.spec().type());
    }
    this.policy = policy;
    this.config = config;
    this.learner = learner;
    this.executors = executors;
    this.units = new TrainingUnits(distribution, policy, learner, collector(distribution, config), config.seed(),
        config.metaBatchSize(), initialParams());
  }

  /** Executors of {@code threads} threads in this process. */
  public static Function<UnitFactory, TaskExecutor> local(int threads) {
    return u -> new LocalExecutor(u, threads);
  }

  /**
   * The data step a run's tasks take: episodes for RL, labelled examples for supervised tasks,
   * and for N-way K-shot classification a support set to adapt on and a disjoint query set for
   * the outer loss.
   */
  public static BatchCollector collector(TaskDistribution distribution, TrainConfig config) {
    if (distribution instanceof FewShotClassification f) {
      int nk = f.ways() * f.shots();
      if (config.fastBatchSize() != nk) {
        throw new IllegalArgumentException(f.name() + ": fast_batch_size must be ways x shots = " + nk
            + " (the support set), got " + config.fastBatchSize());
      }
      return new EpisodeCollector(f, TaskLoss.named(config.loss()), config.dataType());
    }
    return distribution instanceof SupervisedTaskDistribution s
        ? new ExampleCollector(s, config.fastBatchSize(), TaskLoss.named(config.loss()), config.dataType())
        : new RolloutCollector(distribution, config.fastBatchSize(), config.gamma(), config.gaeLambda(),
            config.dataType(), needsRewards(config));
  }

  /** DiCE and E-MAML need the episodes' discounted rewards (and DiCE the baseline's values). */
  static boolean needsRewards(TrainConfig config) {
    return config.innerEstimator().equals("dice") || config.exploration();
  }

  /**
   * The meta-learner a config names: MAML-TRPO (with its inner estimator and E-MAML's term), MAML
   * with Adam on the configured loss, or ProMP.
   */
  public static MetaLearner metaLearner(Policy policy, TrainConfig config) {
    MamlConfig m = config.maml();
    return switch (config.metaOptimizer()) {
      // For RL the outer loss stays REINFORCE; the inner one is the configured estimator.
      case "adam" -> config.loss().equals("reinforce")
          ? new MamlAdam(new InnerLoop(policy, TaskLoss.named(config.innerEstimator()), m.fastLr(), m.innerSteps()),
              TaskLoss.REINFORCE, m.firstOrder(), new Adam(config.metaLr()))
          : new MamlAdam(policy, TaskLoss.named(config.loss()), m, new Adam(config.metaLr()));
      case "promp" -> new ProMp(policy, config.promp(), config.innerEstimator(), m.fastLr(), m.innerSteps(),
          new Adam(config.metaLr()));
      default -> new MamlTrpo(policy, m, TaskLoss.named(config.innerEstimator()), config.exploration());
    };
  }

  /** The per-task units this trainer's iterations consist of. */
  public UnitFactory units() {
    return units;
  }

  /** Fresh meta-parameters for this run's seed. */
  public Params initialParams() {
    return policy.init(new SplittableRandom(config.seed()), config.dataType());
  }

  /** Runs iterations {@code start} .. numBatches-1 from θ and returns the final θ. */
  public Params run(Params theta, int start, long envStepsSoFar, List<TrainingListener> listeners) {
    for (TrainingListener l : listeners) {
      l.onStart(start, config.numBatches());
    }
    long total = envStepsSoFar;
    try (TaskExecutor executor = executors.apply(units)) {
      for (int it = start; it < config.numBatches(); it++) {
        IterationMetrics m;
        // Everything an iteration allocates is freed at its end; only the new θ is copied out.
        try (Arena arena = Arena.open()) {
          Outcome o = iteration(executor, it, theta, total);
          m = o.metrics();
          theta = o.step().theta().map(arena::escape);
        }
        total = m.totalEnvSteps();
        for (TrainingListener l : listeners) {
          l.onIteration(m, theta);
        }
      }
    }
    for (TrainingListener l : listeners) {
      l.onEnd(theta);
    }
    return theta;
  }

  private record Outcome(MetaLearner.StepResult step, IterationMetrics metrics) {}

  private Outcome iteration(TaskExecutor executor, int it, Params theta, long total) {
    long t0 = System.nanoTime();
    MetaLearner.StepResult step;
    List<TaskReply> first;
    try (TaskExecutor.Iteration tasks = executor.begin(it, config.metaBatchSize())) {
      Recorder recorder = new Recorder(tasks);
      step = learner.step(theta, recorder);
      first = recorder.first;
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    double pre = 0;
    double post = 0;
    double sampling = 0;
    double adaptation = 0;
    long steps = 0;
    for (TaskReply r : first) {
      TaskReply.TaskData d = r.data();
      pre += d.preScore();
      post += d.postScore();
      sampling += d.sampleSeconds();
      adaptation += d.adaptSeconds();
      steps += d.envSteps();
    }
    int n = first.size();
    // Tasks sample and adapt in parallel: their summed times over the executor's parallelism
    // estimate the share of the iteration's wall time that went to each.
    int par = Math.min(executor.parallelism(), n);
    sampling = Math.min(sampling / par, wall);
    adaptation = Math.min(adaptation / par, wall - sampling);
    IterationMetrics m = new IterationMetrics(it, pre / n, post / n, step.lossBefore(), step.lossAfter(), step.kl(),
        step.accepted(), step.lineSearchSteps(), sampling, adaptation, wall - sampling - adaptation, steps,
        total + steps);
    return new Outcome(step, m);
  }

  /** Keeps the replies to the iteration's first request, which carry each task's data figures. */
  private static final class Recorder implements TaskChannel {
    private final TaskChannel tasks;
    private List<TaskReply> first;

    Recorder(TaskChannel tasks) {
      this.tasks = tasks;
    }

    @Override
    public int tasks() {
      return tasks.tasks();
    }

    @Override
    public List<TaskReply> send(TaskRequest request) {
      List<TaskReply> r = tasks.send(request);
      if (first == null) {
        for (TaskReply reply : r) {
          if (reply.data() == null) {
            throw new IllegalStateException("the first reply of an iteration carries no task data");
          }
        }
        first = r;
      }
      return r;
    }
  }
}
