package io.maml4j.cli;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.config.InputFiles;
import io.maml4j.meta.MamlAdam;
import io.maml4j.meta.MetaLearner;
import io.maml4j.policy.Params;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.Checkpoint;
import io.maml4j.train.OptimizerState;
import io.maml4j.train.ProgressBar;
import io.maml4j.train.Run;
import io.maml4j.train.RunConfig;
import io.maml4j.train.RunDirectory;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import io.maml4j.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code maml4j train}: meta-trains a policy on an environment spec. */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Meta-train a policy with MAML-TRPO, MAML with Adam, or ProMP (the spec's train section or --meta-optimizer)."
        + " With no options: a short 2D-navigation demo. --env defaults to environments/navigation-2d.json, --out"
        + " to runs/<env>-seed<seed>; --resume --out RUN takes everything from RUN/config.json.")
public final class TrainCommand implements Callable<Integer> {
  static final int DEMO_ITERATIONS = 20;
  static final Path DEMO_ENV = Path.of("environments", "navigation-2d.json");

  @Mixin
  EnvOption env;

  @Option(names = "--policy", description = "Policy spec JSON (default: the env spec's \"policy\" object if any,"
      + " else 64-64 tanh, Gaussian or categorical by action space).")
  Path policySpec;

  @Mixin
  TrainOptions train;

  @Option(names = "--threads", description = "Worker threads that run the tasks (default: one per core). The"
      + " numbers do not depend on it; config.json records it and a resume may change it.")
  Integer threads;

  @Mixin
  OutDirOption out;

  @Option(names = "--resume", description = "Continue the run in --out from its checkpoint, with the run's own"
      + " config.json; only --iterations may change.")
  boolean resume;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--log", description = "Print one line per iteration instead of a redrawn bar.")
  boolean log;

  @Override
  public Integer call() {
    return resume ? resumeRun() : newRun();
  }

  /**
   * A new run: refuses a directory that already holds any run file (the demo replaces its own).
   * With no options at all it is the demo: 2D navigation for {@value #DEMO_ITERATIONS} iterations.
   */
  private Integer newRun() {
    boolean demo = env.env == null && train.none() && out.out == null && policySpec == null && threads == null
        && !cluster.given();
    Path envPath = env.orDefault(DEMO_ENV);
    List<Fields> overrides = new ArrayList<>(train.overrides());
    if (demo) {
      overrides.add(Fields.parse("the demo", "{\"num_batches\": " + DEMO_ITERATIONS + "}"));
    }
    Run run = Run.resolve(envPath, policySpec, overrides, threads != null ? threads : RunConfig.defaultThreads());
    TrainConfig cfg = run.train();
    Path dir = out.orElse(Path.of("runs", run.distribution().name() + "-seed" + cfg.seed() + (demo ? "-demo" : "")));
    RunDirectory files = new RunDirectory(dir, run.config().policy());
    Optional<Path> existing = files.existingRunFile();
    if (existing.isPresent()) {
      if (!demo) {
        throw new ConfigException(existing.get() + ": a run already exists here; pass --resume to continue it or"
            + " --out for a new one");
      }
      deleteRun(files);
    }
    MetaLearner learner = run.metaLearner();
    try (io.maml4j.cluster.ClusterDriver driver = cluster.connect()) {
      Trainer trainer = ClusterOptions.trainer(run, learner, driver);
      System.err.printf("maml4j: training %s for %d iterations (seed %d) into %s%n", run.distribution().name(),
          cfg.numBatches(), cfg.seed(), dir);
      return train(trainer, learner, run.config(), files, trainer.initialParams(), 0, 0, driver);
    }
  }

  /**
   * Continues the run in {@code --out} with everything read from its own {@code config.json}; an
   * option that would change the run is refused, only {@code --iterations} may extend it.
   * Everything is checked before anything is written.
   */
  private Integer resumeRun() {
    if (out.out == null) {
      throw new ConfigException("--resume needs --out RUN, the run directory to continue");
    }
    Path dir = out.out;
    RunDirectory probe = new RunDirectory(dir, null);
    Path configPath = probe.config();
    if (!Files.exists(configPath)) {
      throw new ConfigException(Files.exists(probe.checkpoint()) || Files.exists(probe.metrics())
          ? configPath + ": file not found; a run is resumed from its own config.json"
          : dir + ": nothing to resume here (no config.json); start a new run without --resume");
    }
    RunConfig stored = RunConfig.read(configPath);
    refuseChanges(configPath, stored);
    TrainConfig runCfg = stored.train();
    TrainConfig cfg = train.iterations != null ? runCfg.withRun(train.iterations, runCfg.seed()) : runCfg;
    // Every task's numbers are the same on any thread count, so a resume may take another one.
    Run run = Run.of(stored.withTrain(cfg).withThreads(threads != null ? threads : stored.threads()),
        configPath.toString());
    RunDirectory files = new RunDirectory(dir, stored.policy());
    MetaLearner learner = run.metaLearner();
    try (io.maml4j.cluster.ClusterDriver driver = cluster.connect()) {
      return resume(run, learner, ClusterOptions.trainer(run, learner, driver), files, cfg, dir, driver);
    }
  }

  private Integer resume(Run run, MetaLearner learner, Trainer trainer, RunDirectory files, TrainConfig cfg, Path dir,
      io.maml4j.cluster.ClusterDriver driver) {
    Params theta;
    int start = 0;
    long steps = 0;
    if (Files.exists(files.checkpoint())) {
      Checkpoint ck = run.load(files.checkpoint());
      if (ck.iteration() > cfg.numBatches()) {
        throw new ConfigException(files.checkpoint() + ": at iteration " + ck.iteration() + ", past the "
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
    files.truncateMetrics(start);
    io.maml4j.optim.Adam adam = learner instanceof MamlAdam a ? a.optimizer()
        : learner instanceof io.maml4j.meta.ProMp p ? p.optimizer() : null;
    if (adam != null && !OptimizerState.restore(dir, adam, start, cfg.dataType()) && start > 0) {
      System.err.println("maml4j: warning: no optimizer state for iteration " + start + " in " + dir
          + "; Adam restarts its moment estimates");
    }
    System.err.printf("maml4j: resuming %s at iteration %d of %d (seed %d) in %s%n", run.distribution().name(), start,
        cfg.numBatches(), cfg.seed(), dir);
    return train(trainer, learner, run.config(), files, theta, start, steps, driver);
  }

  /** Refuses, in one line naming the option, any given option that differs from the run's config. */
  private void refuseChanges(Path configPath, RunConfig stored) {
    if (env.env != null) {
      String text = InputFiles.read(env.env, InputFiles.SPEC_LIMIT);
      Fields.parse(env.env.toString(), text);
      if (!JsonParser.parseString(text).equals(stored.env().json())) {
        throw refused("--env " + env.env, "differs from the environment spec the run was started with ('env' in "
            + configPath + ")");
      }
    }
    if (policySpec != null && !PolicySpec.read(Fields.read(policySpec)).equals(stored.policy())) {
      throw refused("--policy " + policySpec, "differs from the run's policy " + stored.policy() + " (in "
          + configPath + ")");
    }
    TrainConfig c = stored.train();
    JsonObject had = c.toJson();
    if (train.configFile != null) {
      JsonObject given = c.merge(Fields.read(train.configFile)).toJson();
      for (String key : had.keySet()) {
        if (!had.get(key).equals(given.get(key)) && !(key.equals("num_batches") && train.iterations != null)) {
          throw refused("--config " + train.configFile, "sets " + key + " to " + given.get(key) + ", the run's "
              + configPath + " has " + had.get(key) + (key.equals("num_batches") ? " (use --iterations to extend the run)" : ""));
        }
      }
    }
    for (Map.Entry<String, Fields> o : train.given().entrySet()) {
      if (o.getKey().startsWith("--iterations")) {
        continue;
      }
      JsonObject given = c.merge(o.getValue()).toJson();
      for (String key : had.keySet()) {
        if (!had.get(key).equals(given.get(key))) {
          throw refused(o.getKey(), "differs from the run's " + key + " " + had.get(key) + " (in " + configPath + ")");
        }
      }
    }
  }

  private static ConfigException refused(String option, String why) {
    return new ConfigException("--resume: " + option + " " + why + "; a resumed run keeps its own config, only"
        + " --iterations may change (drop the option, or start a new run with another --out)");
  }

  /** Writes the config, runs, and says which files it wrote (none but the config for 0 iterations). */
  private Integer train(Trainer trainer, MetaLearner learner, RunConfig config, RunDirectory run, Params theta,
      int start, long steps, io.maml4j.cluster.ClusterDriver driver) {
    int numBatches = config.train().numBatches();
    JsonObject recorded = config.toJson();
    if (driver != null) {
      recorded.add("cluster", ClusterOptions.record(driver, cluster));
    }
    run.writeConfig(recorded);
    List<TrainingListener> listeners = new ArrayList<>();
    listeners.add(new ProgressBar(System.err, log || System.console() == null));
    listeners.add(run);
    if (start < numBatches) {
      listeners.add(new io.maml4j.plot.LearningCurvePlotter(run.dir(), System.err));
    }
    if (learner instanceof MamlAdam a) {
      listeners.add(new OptimizerState(run.dir(), a.optimizer()));
    } else if (learner instanceof io.maml4j.meta.ProMp p) {
      listeners.add(new OptimizerState(run.dir(), p.optimizer()));
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
