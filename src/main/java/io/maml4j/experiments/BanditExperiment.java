package io.maml4j.experiments;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.config.ConfigException;
import io.maml4j.env.Task;
import io.maml4j.envs.BernoulliBandit;
import io.maml4j.eval.Curve;
import io.maml4j.eval.EvalConfig;
import io.maml4j.eval.Evaluator;
import io.maml4j.eval.Scorer;
import io.maml4j.eval.Stats;
import io.maml4j.meta.TaskLoss;
import io.maml4j.work.RolloutCollector;
import io.maml4j.meta.MetaLearner;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.Checkpoint;
import io.maml4j.train.IterationMetrics;
import io.maml4j.train.Run;
import io.maml4j.train.RunDirectory;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import io.maml4j.train.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Does meta-training help on Bernoulli bandits? On held-out bandits, compares the expected
 * episode return of a uniformly random policy, the unadapted meta-policy π_θ, and the policy
 * π_θ' after the same one-step adaptation as in training on K sampled episodes; for scale, also
 * a freshly initialised policy adapted the same way, and the best arm. Returns are exact
 * expectations given each policy's arm probabilities (H Σ_a π(a) p_a), so only the adaptation
 * episodes are random.
 *
 * <p>When it trains, it scores the meta-policy on separate validation bandits every few
 * iterations and reports the one whose adapted return is best there (early stopping), as well as
 * the last one. On bandits the MAML-RL meta-gradient ignores how θ shapes the pre-adaptation
 * episodes, so nothing keeps the unadapted policy exploratory; long runs can let it turn
 * deterministic, after which adaptation has no signal (see Rothfuss et al. 2019, "ProMP").
 */
public final class BanditExperiment {
  /**
   * @param out the directory the figures (and the run, in {@code out/maml}) are written to
   * @param policy a trained meta-policy (policy.json or checkpoint.json); null to train one here
   * @param validateEvery iterations between validation scores when training (0: keep the last)
   */
  public record Options(Path out, Path policy, int tasks, long testSeed, int validateEvery, int validationTasks) {
    public Options {
      if (tasks < 1 || validateEvery < 0 || validationTasks < 1) {
        throw new IllegalArgumentException("need test and validation tasks >= 1 and validate_every >= 0, got "
            + tasks + ", " + validationTasks + " and " + validateEvery);
      }
    }
  }

  /** The meta-policy that did best on validation bandits, the last one, and the validation curve. */
  record Trained(Params selected, int selectedIteration, Params last, JsonArray curve) {}

  /** Mean expected episode return over the test tasks, with a 95% confidence half-width. */
  public record Figure(double mean, double ci95) {}

  private final Run run;
  private final Options o;
  private final PrintStream log;

  /**
   * @param run the bandit run: its spec, policy and training config (iterations and seed
   *     included), as {@code train} would resolve them
   */
  public BanditExperiment(Run run, Options options, PrintStream log) {
    this.run = run;
    this.o = options;
    this.log = log;
  }

  /** Trains if needed, evaluates, writes {@code out/bandit-eval.json} and returns it. */
  public JsonObject run() {
    if (!(run.distribution() instanceof BernoulliBandit bandit)) {
      throw new ConfigException(run.config().env().file() + ": expected a bandit environment, got "
          + run.distribution().name());
    }
    TrainConfig cfg = run.train();
    Policy policy = run.policy();
    MetaLearner learner = run.metaLearner();
    Params theta;
    int trainedFor;
    Trained trained = null;
    if (o.policy() != null) {
      Checkpoint ck = run.load(o.policy());
      theta = ck.params();
      trainedFor = ck.iteration();
    } else {
      trained = train(bandit, policy, learner, cfg);
      theta = trained.selected();
      trainedFor = cfg.numBatches();
    }
    Params fresh = run.trainer(learner).initialParams();

    List<Task> tasks = bandit.sample(o.tasks(), new SplittableRandom(o.testSeed()));
    int h = bandit.horizon();
    double[] random = new double[tasks.size()];
    double[] best = new double[tasks.size()];
    for (int t = 0; t < tasks.size(); t++) {
      double[] p = tasks.get(t).vector(BernoulliBandit.MEANS);
      for (double x : p) {
        random[t] += h * x / p.length;
        best[t] = Math.max(best[t], h * x);
      }
    }
    Curve meta = protocol(bandit, cfg, o.testSeed() + 1, expectedReturn(h)).fineTune("meta", policy, theta, tasks)
        .curve();
    Curve freshCurve = protocol(bandit, cfg, o.testSeed() + 1, expectedReturn(h))
        .fineTune("fresh", policy, fresh, tasks).curve();
    // The same streams, scored by the episodes the adapted policies sample.
    Curve sampled = protocol(bandit, cfg, o.testSeed() + 1, Scorer.SAMPLED).fineTune("meta", policy, theta, tasks)
        .curve();

    JsonObject r = new JsonObject();
    r.addProperty("maml4j_version", run.config().version());
    r.addProperty("env_spec", run.config().env().file());
    r.addProperty("arms", bandit.arms());
    r.addProperty("horizon", h);
    r.addProperty("meta_iterations", trainedFor);
    if (trained != null) {
      r.addProperty("selected_iteration", trained.selectedIteration());
    }
    r.addProperty("meta_optimizer", cfg.metaOptimizer());
    r.addProperty("adaptation_episodes_per_task", cfg.fastBatchSize());
    r.addProperty("fast_lr", cfg.maml().fastLr());
    r.addProperty("test_tasks", tasks.size());
    r.addProperty("test_seed", o.testSeed());
    add(r, "uniform_random", stats(random));
    add(r, "meta_policy_unadapted", stats(meta.taskReturns()[0]));
    add(r, "meta_policy_adapted", stats(meta.taskReturns()[1]));
    add(r, "fresh_init_unadapted", stats(freshCurve.taskReturns()[0]));
    add(r, "fresh_init_adapted", stats(freshCurve.taskReturns()[1]));
    add(r, "best_arm", stats(best));
    r.addProperty("meta_policy_adapted_sampled_return", sampled.mean(1));
    if (trained != null) {
      Curve last = protocol(bandit, cfg, o.testSeed() + 2, expectedReturn(h))
          .fineTune("last", policy, trained.last(), tasks).curve();
      add(r, "last_meta_policy_unadapted", stats(last.taskReturns()[0]));
      add(r, "last_meta_policy_adapted", stats(last.taskReturns()[1]));
      r.add("validation_curve", trained.curve());
    }
    io.maml4j.files.AtomicFiles.write(o.out().resolve("bandit-eval.json"), new GsonBuilder().setPrettyPrinting().create().toJson(r));
    return r;
  }

  private void add(JsonObject r, String name, Figure f) {
    JsonObject o = new JsonObject();
    o.addProperty("mean", f.mean());
    o.addProperty("ci95", f.ci95());
    r.add(name, o);
    log.printf(Locale.ROOT, "%-24s expected return per episode %.4f ± %.4f%n", name, f.mean(), f.ci95());
  }

  private Trained train(BernoulliBandit bandit, Policy policy, MetaLearner learner, TrainConfig cfg) {
    PolicySpec spec = run.config().policy();
    RunDirectory files = new RunDirectory(o.out().resolve("maml"), spec);
    if (files.existingRunFile().isPresent()) {
      throw new ConfigException(files.existingRunFile().get() + ": a run already exists here; pass its policy with"
          + " --policy or choose another --out");
    }
    files.writeConfig(run.config().toJson());
    List<Task> validation = bandit.sample(o.validationTasks(), new SplittableRandom(o.testSeed() ^ 0x5DEECE66DL));
    int h = bandit.horizon();
    JsonArray curve = new JsonArray();
    Params[] best = new Params[1];
    int[] bestIt = {-1};
    double[] bestScore = {Double.NEGATIVE_INFINITY};
    TrainingListener validate = new TrainingListener() {
      @Override
      public void onIteration(IterationMetrics m, Params theta) {
        int done = m.iteration() + 1;
        if (o.validateEvery() == 0 || (done % o.validateEvery() != 0 && done != cfg.numBatches())) {
          return;
        }
        // The same adaptation episodes' seeds at every check, so checkpoints compare fairly.
        Curve c = protocol(bandit, cfg, o.testSeed() + 3, expectedReturn(h)).fineTune("validation", policy, theta,
            validation).curve();
        double pre = c.mean(0);
        double post = c.mean(1);
        JsonObject point = new JsonObject();
        point.addProperty("iteration", done);
        point.addProperty("unadapted", pre);
        point.addProperty("adapted", post);
        curve.add(point);
        log.printf(Locale.ROOT, "iteration %d/%d: validation return unadapted %.3f, adapted %.3f%n", done,
            cfg.numBatches(), pre, post);
        if (post > bestScore[0]) {
          bestScore[0] = post;
          best[0] = theta;
          bestIt[0] = done;
        }
      }
    };
    log.printf("training %s for %d iterations into %s%n", bandit.name(), cfg.numBatches(), files.dir());
    Trainer trainer = run.trainer(learner);
    Params last = trainer.run(trainer.initialParams(), 0, 0, List.of(validate, files));
    if (best[0] == null) {
      return new Trained(last, cfg.numBatches(), last, curve);
    }
    new Checkpoint(spec, best[0], bestIt[0], 0).save(files.dir().resolve("selected-policy.json"));
    log.printf("selected the meta-policy of iteration %d (best adapted validation return %.3f)%n", bestIt[0],
        bestScore[0]);
    return new Trained(best[0], bestIt[0], last, curve);
  }

  /**
   * The evaluation protocol with the training-time adaptation: K episodes per task, GAE
   * advantages, one inner step of α with the run's inner estimator (a DiCE step needs the
   * episodes' rewards and baseline values, as in training); its tasks' streams come from {@code seed}.
   */
  private static Evaluator protocol(BernoulliBandit bandit, TrainConfig cfg, long seed, Scorer scorer) {
    EvalConfig c = new EvalConfig(1, seed, 1, cfg.fastBatchSize(), cfg.maml().fastLr(), cfg.gamma(), cfg.gaeLambda());
    boolean dice = cfg.innerEstimator().equals("dice");
    return new Evaluator(bandit, c, new RolloutCollector(bandit, cfg.fastBatchSize(), cfg.gamma(), cfg.gaeLambda(),
        cfg.dataType(), dice), TaskLoss.named(cfg.innerEstimator()), new double[] {cfg.maml().fastLr()}, scorer);
  }

  /** The exact expected return of the task's policy, H Σ_a π(a) p_a: the bandit's score. */
  private static Scorer expectedReturn(int horizon) {
    return (policy, params, task, index, sampled) -> expected(policy, params, List.of(task), horizon)[0];
  }

  /** H Σ_a π(a) p_a per task, for shared or per-task parameters. */
  static double[] expected(Policy policy, Params params, List<Task> tasks, int horizon) {
    int t = tasks.size();
    int k = tasks.get(0).vector(BernoulliBandit.MEANS).length;
    double[] ones = new double[t * k];
    double[] arms = new double[t * k];
    java.util.Arrays.fill(ones, 1.0);
    for (int i = 0; i < t * k; i++) {
      arms[i] = i % k;
    }
    double[] logp;
    try (Arena arena = Arena.open(); Tape.Scope ng = Tape.noGrad()) {
      var type = params.list().get(0).dataType();
      logp = policy.forward(params, Tensor.of(ones, type, t, k, 1)).logProb(Tensor.of(arms, type, t, k, 1))
          .toDoubles();
    }
    double[] out = new double[t];
    for (int i = 0; i < t; i++) {
      double[] p = tasks.get(i).vector(BernoulliBandit.MEANS);
      for (int a = 0; a < k; a++) {
        out[i] += horizon * Math.exp(logp[i * k + a]) * p[a];
      }
    }
    return out;
  }

  /** Mean over bandits and the evaluation protocol's 95% Student-t interval ({@link Stats#ci95}). */
  static Figure stats(double[] v) {
    return new Figure(Stats.mean(v), Stats.ci95(v));
  }
}
