package io.maml4j.cli;

import com.google.gson.JsonObject;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.meta.MamlAdam;
import io.maml4j.meta.MetaLearner;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.Checkpoint;
import io.maml4j.train.OptimizerState;
import io.maml4j.train.ProgressBar;
import io.maml4j.train.RunDirectory;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import io.maml4j.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maml4j train}: meta-trains a policy on an environment spec. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Meta-train a policy with MAML (TRPO, or Adam when the spec's train section says so)."
        + " With no options: a short 2D-navigation demo.")
public final class TrainCommand implements Callable<Integer> {
  static final int DEMO_ITERATIONS = 20;

  @Option(names = "--env", description = "Environment spec (default: ${DEFAULT-VALUE}).",
      defaultValue = "environments/navigation-2d.json")
  Path env;

  @Option(names = "--policy", description = "Policy spec JSON (default: the env spec's \"policy\" object if any,"
      + " else 64-64 tanh, Gaussian or categorical by action space).")
  Path policySpec;

  @Option(names = "--config", description = "Training config JSON overriding the defaults.")
  Path configFile;

  @Option(names = "--iterations", description = "Meta-iterations (default 500; the no-argument demo runs " + DEMO_ITERATIONS + ").")
  Integer iterations;

  @Option(names = "--seed", description = "Random seed (default 1).")
  Long seed;

  @Option(names = "--out", description = "Run directory (default runs/<env>-seed<seed>).")
  Path out;

  @Option(names = "--first-order", description = "First-order MAML: drop the second-order term.")
  boolean firstOrder;

  @Option(names = "--fast-lr", description = "Inner step size α.")
  Double fastLr;

  @Option(names = "--meta-batch-size", description = "Tasks per meta-batch.")
  Integer metaBatchSize;

  @Option(names = "--fast-batch-size", description = "Episodes per task.")
  Integer fastBatchSize;

  @Option(names = "--num-steps", description = "Inner gradient steps.")
  Integer numSteps;

  @Option(names = "--dtype", description = "float32 or float64.")
  String dtype;

  @Option(names = "--resume", description = "Continue the run in --out from its checkpoint.")
  boolean resume;

  @Option(names = "--log", description = "Print one line per iteration instead of a redrawn bar.")
  boolean log;

  @Override
  public Integer call() {
    boolean demo = iterations == null && configFile == null && out == null && seed == null;
    Fields envFields = Fields.read(env);
    TaskDistribution dist = EnvRegistry.standard().create(envFields);
    TrainConfig cfg = TrainConfig.forSpec(envFields);
    if (configFile != null) {
      cfg = cfg.merge(Fields.read(configFile));
    }
    cfg = overrides(cfg, demo);
    PolicySpec spec = policySpec != null ? PolicySpec.read(Fields.read(policySpec))
        : envFields.has("policy") ? PolicySpec.read(envFields.object("policy"))
        : dist.actionSpace() instanceof io.maml4j.env.Discrete ? PolicySpec.defaultCategorical()
        : PolicySpec.defaultGaussian();
    Policy policy;
    try {
      policy = Policies.create(spec, dist.observationSpace(), dist.actionSpace());
    } catch (IllegalArgumentException e) {
      throw new ConfigException((policySpec != null ? policySpec : "policy") + ": " + e.getMessage());
    }
    Path dir = out != null ? out : Path.of("runs", dist.name() + "-seed" + cfg.seed() + (demo ? "-demo" : ""));
    RunDirectory run = new RunDirectory(dir, spec);
    MetaLearner learner = Trainer.metaLearner(policy, cfg);
    Trainer trainer = new Trainer(dist, policy, cfg, learner);
    Params theta;
    int start = 0;
    long steps = 0;
    if (Files.exists(run.checkpoint()) && !resume && !demo) {
      throw new ConfigException(run.checkpoint() + ": a run already exists here; pass --resume to continue it or --out for a new one");
    }
    if (resume && Files.exists(run.checkpoint())) {
      Checkpoint ck = Checkpoint.load(run.checkpoint(), cfg.dataType());
      if (!ck.spec().equals(spec)) {
        throw ConfigException.field(run.checkpoint().toString(), "policy", spec.toString(), ck.spec());
      }
      theta = ck.params();
      start = ck.iteration();
      steps = ck.envSteps();
      run.truncateMetrics(start);
      if (learner instanceof MamlAdam a && !OptimizerState.restore(dir, a.optimizer(), start, cfg.dataType())) {
        System.err.println("maml4j: warning: no optimizer state for iteration " + start + " in " + dir
            + "; Adam restarts its moment estimates");
      }
    } else {
      if (demo) {
        deleteRun(run);
      }
      theta = trainer.initialParams();
    }
    JsonObject resolved = new JsonObject();
    resolved.addProperty("maml4j_version", Main.VERSION);
    resolved.addProperty("env_spec", env.toString());
    resolved.add("env", com.google.gson.JsonParser.parseString(readQuietly(env)));
    resolved.add("policy", spec.toJson());
    resolved.add("train", cfg.toJson());
    run.writeConfig(resolved);
    List<TrainingListener> listeners = new ArrayList<>();
    listeners.add(new ProgressBar(System.err, log || System.console() == null));
    listeners.add(run);
    listeners.add(new io.maml4j.plot.LearningCurvePlotter(dir, System.err));
    if (learner instanceof MamlAdam a) {
      listeners.add(new OptimizerState(dir, a.optimizer()));
    }
    System.err.printf("maml4j: training %s for %d iterations (seed %d) into %s%n", dist.name(), cfg.numBatches(),
        cfg.seed(), dir);
    trainer.run(theta, start, steps, listeners);
    System.err.println("maml4j: wrote " + run.metrics() + " and " + run.policy());
    return 0;
  }

  private TrainConfig overrides(TrainConfig c, boolean demo) {
    var m = c.maml();
    m = new io.maml4j.meta.MamlConfig(fastLr != null ? fastLr : m.fastLr(), numSteps != null ? numSteps : m.innerSteps(),
        firstOrder || m.firstOrder(), m.maxKl(), m.cgIters(), m.cgDamping(), m.lsMaxSteps(), m.lsBacktrackRatio());
    return new TrainConfig(metaBatchSize != null ? metaBatchSize : c.metaBatchSize(),
        fastBatchSize != null ? fastBatchSize : c.fastBatchSize(),
        iterations != null ? iterations : demo ? DEMO_ITERATIONS : c.numBatches(), c.gamma(), c.gaeLambda(), m,
        dtype != null ? dtype : c.dtype(), seed != null ? seed : c.seed())
        .withMetaOptimizer(c.metaOptimizer(), c.metaLr(), c.loss());
  }

  private static void deleteRun(RunDirectory run) {
    try {
      Files.deleteIfExists(run.checkpoint());
      Files.deleteIfExists(run.metrics());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String readQuietly(Path p) {
    try {
      return Files.readString(p);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
