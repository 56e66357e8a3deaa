package io.maml4j.cli;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.config.InputFiles;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code maml4j train}: meta-trains a policy on an environment spec. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Meta-train a policy with MAML (TRPO, or Adam when the spec's train section says so)."
        + " With no options: a short 2D-navigation demo.")
public final class TrainCommand implements Callable<Integer> {
  static final int DEMO_ITERATIONS = 20;

  @Option(names = "--env", description = "Environment spec (default: environments/navigation-2d.json;"
      + " with --resume: the run's own).")
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

  @Option(names = "--resume", description = "Continue the run in --out from its checkpoint, with the run's own"
      + " config.json; only --iterations may change.")
  boolean resume;

  @Option(names = "--log", description = "Print one line per iteration instead of a redrawn bar.")
  boolean log;

  static final Path DEFAULT_ENV = Path.of("environments", "navigation-2d.json");

  @Override
  public Integer call() {
    return resume ? resumeRun() : newRun();
  }

  /** A new run: refuses a directory that already holds any run file (the demo replaces its own). */
  private Integer newRun() {
    boolean demo = iterations == null && configFile == null && out == null && seed == null;
    Path envPath = env != null ? env : DEFAULT_ENV;
    String envText = InputFiles.read(envPath, InputFiles.SPEC_LIMIT);
    Fields envFields = Fields.parse(envPath.toString(), envText);
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
    Policy policy = policy(spec, dist, policySpec != null ? policySpec.toString() : envPath + " (in 'policy')");
    Path dir = out != null ? out : Path.of("runs", dist.name() + "-seed" + cfg.seed() + (demo ? "-demo" : ""));
    RunDirectory run = new RunDirectory(dir, spec);
    Optional<Path> existing = run.existingRunFile();
    if (existing.isPresent()) {
      if (!demo) {
        throw new ConfigException(existing.get() + ": a run already exists here; pass --resume to continue it or"
            + " --out for a new one");
      }
      deleteRun(run);
    }
    MetaLearner learner = Trainer.metaLearner(policy, cfg);
    Trainer trainer = new Trainer(dist, policy, cfg, learner);
    JsonObject envJson = JsonParser.parseString(envText).getAsJsonObject();
    // Absolute, so a resume from another directory finds the spec (and the files it names).
    JsonObject resolved = resolved(envPath.toAbsolutePath().normalize().toString(), envJson, spec, cfg);
    System.err.printf("maml4j: training %s for %d iterations (seed %d) into %s%n", dist.name(), cfg.numBatches(),
        cfg.seed(), dir);
    return train(trainer, learner, cfg.numBatches(), run, resolved, trainer.initialParams(), 0, 0);
  }

  /**
   * Continues the run in {@code --out} with everything read from its own {@code config.json}; an
   * option that would change the run is refused, only {@code --iterations} may extend it.
   * Everything is checked before anything is written.
   */
  private Integer resumeRun() {
    Path dir = out != null ? out : defaultResumeDir();
    RunDirectory probe = new RunDirectory(dir, null);
    Path configPath = probe.config();
    if (!Files.exists(configPath)) {
      throw new ConfigException(Files.exists(probe.checkpoint()) || Files.exists(probe.metrics())
          ? configPath + ": file not found; a run is resumed from its own config.json"
          : dir + ": nothing to resume here (no config.json); start a new run without --resume");
    }
    Fields stored = Fields.read(configPath);
    stored.has("maml4j_version");
    String envSpec = stored.string("env_spec", null);
    JsonElement envJ = stored.raw("env");
    if (!envJ.isJsonObject()) {
      throw ConfigException.field(configPath.toString(), "env", "the environment spec object", envJ);
    }
    PolicySpec spec = PolicySpec.read(stored.object("policy"));
    TrainConfig runCfg = TrainConfig.defaults().merge(stored.object("train"));
    stored.finish();
    refuseChanges(configPath, envJ.getAsJsonObject(), spec, runCfg);
    TrainConfig cfg = iterations != null ? runCfg.withRun(iterations, runCfg.seed()) : runCfg;
    TaskDistribution dist = EnvRegistry.standard().create(envFields(envSpec, envJ.getAsJsonObject(), configPath));
    Policy policy = policy(spec, dist, configPath + " (in 'policy')");
    RunDirectory run = new RunDirectory(dir, spec);
    MetaLearner learner = Trainer.metaLearner(policy, cfg);
    Trainer trainer = new Trainer(dist, policy, cfg, learner);
    Params theta;
    int start = 0;
    long steps = 0;
    if (Files.exists(run.checkpoint())) {
      Checkpoint ck = Checkpoint.load(run.checkpoint(), cfg.dataType());
      if (!ck.spec().equals(spec)) {
        throw ConfigException.field(run.checkpoint().toString(), "policy", spec + " (as in " + configPath + ")",
            ck.spec());
      }
      ck.requireParamsOf(policy, run.checkpoint());
      if (ck.iteration() > cfg.numBatches()) {
        throw new ConfigException(run.checkpoint() + ": at iteration " + ck.iteration() + ", past the "
            + cfg.numBatches() + " iterations asked for; nothing to run (pass --iterations greater than "
            + ck.iteration() + " to extend the run)");
      }
      theta = ck.params();
      start = ck.iteration();
      steps = ck.envSteps();
    } else {
      // Killed before its first checkpoint: the run starts over, from its own seed.
      theta = trainer.initialParams();
    }
    run.truncateMetrics(start);
    if (learner instanceof MamlAdam a && !OptimizerState.restore(dir, a.optimizer(), start, cfg.dataType())
        && start > 0) {
      System.err.println("maml4j: warning: no optimizer state for iteration " + start + " in " + dir
          + "; Adam restarts its moment estimates");
    }
    JsonObject resolved = resolved(envSpec, envJ.getAsJsonObject(), spec, cfg);
    System.err.printf("maml4j: resuming %s at iteration %d of %d (seed %d) in %s%n", dist.name(), start,
        cfg.numBatches(), cfg.seed(), dir);
    return train(trainer, learner, cfg.numBatches(), run, resolved, theta, start, steps);
  }

  /** The run directory a resume without --out continues: the default one of a new run. */
  private Path defaultResumeDir() {
    Path envPath = env != null ? env : DEFAULT_ENV;
    Fields envFields = Fields.read(envPath);
    TaskDistribution dist = EnvRegistry.standard().create(envFields);
    long s = seed != null ? seed : TrainConfig.forSpec(envFields).seed();
    return Path.of("runs", dist.name() + "-seed" + s);
  }

  /**
   * The run's environment spec: read from the spec file it names when that file still holds the
   * same JSON (so relative paths in it resolve as they did), else from the copy in config.json.
   */
  private static Fields envFields(String envSpec, JsonObject envJson, Path configPath) {
    if (envSpec != null) {
      try {
        Path p = Path.of(envSpec);
        if (Files.isRegularFile(p)) {
          String text = InputFiles.read(p, InputFiles.SPEC_LIMIT);
          Fields f = Fields.parse(p.toString(), text);
          if (JsonParser.parseString(text).equals(envJson)) {
            return f;
          }
        }
      } catch (ConfigException | java.nio.file.InvalidPathException changed) {
        // The file is gone or changed; the copy in config.json is the run's spec.
      }
    }
    return new Fields(configPath + " (in 'env')", envJson.deepCopy());
  }

  /** Refuses, in one line naming the option, any given option that differs from the run's config. */
  private void refuseChanges(Path configPath, JsonObject envJson, PolicySpec spec, TrainConfig c) {
    if (env != null) {
      String text = InputFiles.read(env, InputFiles.SPEC_LIMIT);
      Fields.parse(env.toString(), text);
      if (!JsonParser.parseString(text).equals(envJson)) {
        throw refused("--env " + env, "differs from the environment spec the run was started with ('env' in "
            + configPath + ")");
      }
    }
    if (policySpec != null && !PolicySpec.read(Fields.read(policySpec)).equals(spec)) {
      throw refused("--policy " + policySpec, "differs from the run's policy " + spec + " (in " + configPath + ")");
    }
    if (configFile != null) {
      JsonObject given = c.merge(Fields.read(configFile)).toJson();
      JsonObject had = c.toJson();
      for (String key : had.keySet()) {
        if (!had.get(key).equals(given.get(key)) && !(key.equals("num_batches") && iterations != null)) {
          throw refused("--config " + configFile, "sets " + key + " to " + given.get(key) + ", the run's "
              + configPath + " has " + had.get(key) + (key.equals("num_batches") ? " (use --iterations to extend the run)" : ""));
        }
      }
    }
    var m = c.maml();
    differs("--seed", "seed", seed, c.seed(), configPath);
    differs("--fast-lr", "fast_lr", fastLr, m.fastLr(), configPath);
    differs("--meta-batch-size", "meta_batch_size", metaBatchSize, c.metaBatchSize(), configPath);
    differs("--fast-batch-size", "fast_batch_size", fastBatchSize, c.fastBatchSize(), configPath);
    differs("--num-steps", "num_steps", numSteps, m.innerSteps(), configPath);
    differs("--dtype", "dtype", dtype, c.dtype(), configPath);
    if (firstOrder && !m.firstOrder()) {
      throw refused("--first-order", "differs from the run's second-order MAML (first_order false in " + configPath + ")");
    }
  }

  private static void differs(String option, String field, Object given, Object run, Path configPath) {
    if (given != null && !given.equals(run)) {
      throw refused(option + " " + given, "differs from the run's " + field + " " + run + " (in " + configPath + ")");
    }
  }

  private static ConfigException refused(String option, String why) {
    return new ConfigException("--resume: " + option + " " + why + "; a resumed run keeps its own config, only"
        + " --iterations may change (drop the option, or start a new run with another --out)");
  }

  private static Policy policy(PolicySpec spec, TaskDistribution dist, String source) {
    try {
      spec.requireParameterCount(dist.observationSpace().flatSize(), outputs(dist));
      return Policies.create(spec, dist.observationSpace(), dist.actionSpace());
    } catch (IllegalArgumentException e) {
      throw new ConfigException(source + ": " + e.getMessage());
    }
  }

  /** The network's output width: one per action dimension, or one per discrete action. */
  private static long outputs(TaskDistribution dist) {
    return dist.actionSpace() instanceof io.maml4j.env.Discrete d ? d.n() : dist.actionSpace().flatSize();
  }

  private static JsonObject resolved(String envSpec, JsonObject envJson, PolicySpec spec, TrainConfig cfg) {
    JsonObject resolved = new JsonObject();
    resolved.addProperty("maml4j_version", Main.VERSION);
    if (envSpec != null) {
      resolved.addProperty("env_spec", envSpec);
    }
    resolved.add("env", envJson);
    resolved.add("policy", spec.toJson());
    resolved.add("train", cfg.toJson());
    return resolved;
  }

  /** Writes the config, runs, and says which files it wrote (none but the config for 0 iterations). */
  private Integer train(Trainer trainer, MetaLearner learner, int numBatches, RunDirectory run, JsonObject resolved,
      Params theta, int start, long steps) {
    run.writeConfig(resolved);
    List<TrainingListener> listeners = new ArrayList<>();
    listeners.add(new ProgressBar(System.err, log || System.console() == null));
    listeners.add(run);
    if (start < numBatches) {
      listeners.add(new io.maml4j.plot.LearningCurvePlotter(run.dir(), System.err));
    }
    if (learner instanceof MamlAdam a) {
      listeners.add(new OptimizerState(run.dir(), a.optimizer()));
    }
    trainer.run(theta, start, steps, listeners);
    List<String> names = new ArrayList<>();
    for (Path p : run.written()) {
      names.add(p.toString());
    }
    System.err.println("maml4j: wrote " + String.join(", ", names)
        + (run.written().contains(run.policy()) ? "" : " (no iteration has run, so no metrics and no policy)"));
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
      for (String name : RunDirectory.RUN_FILES) {
        Files.deleteIfExists(run.dir().resolve(name));
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot delete the old demo run in " + run.dir() + ": " + e.getMessage(), e);
    }
  }
}
