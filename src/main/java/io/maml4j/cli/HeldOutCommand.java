package io.maml4j.cli;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.policy.Policy;
import io.maml4j.train.Checkpoint;
import io.maml4j.train.Evaluation;
import io.maml4j.train.TrainConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code maml4j held-out}: returns of a saved meta-policy before and after adaptation on freshly
 * drawn (held-out) tasks.
 */
@Command(name = "held-out", mixinStandardHelpOptions = true,
    description = "Evaluate a meta-policy on held-out tasks: mean return before and after adaptation.")
public final class HeldOutCommand implements Callable<Integer> {
  @Option(names = "--env", required = true, description = "Environment spec, e.g. environments/half-cheetah-vel.json.")
  Path env;

  @Option(names = "--policy", required = true, description = "Meta-policy file (a run's policy.json or checkpoint.json).")
  Path policyFile;

  @Option(names = "--tasks", defaultValue = "40", description = "Held-out tasks to draw (default ${DEFAULT-VALUE}).")
  int tasks;

  @Option(names = "--seed", defaultValue = "1000003",
      description = "Seed of the task draw and the episodes (default ${DEFAULT-VALUE}, unrelated to training seeds).")
  long seed;

  @Option(names = "--fast-batch-size", description = "Episodes per task for adaptation and for scoring (default: the spec's).")
  Integer fastBatchSize;

  @Option(names = "--out", description = "Also write the per-task results as JSON here.")
  Path out;

  @Override
  public Integer call() {
    if (tasks < 1) {
      throw new IllegalArgumentException("--tasks must be at least 1, got " + tasks);
    }
    TaskDistribution dist = EnvRegistry.standard().load(env);
    TrainConfig cfg = MetaPolicyFiles.trainConfig(env);
    if (fastBatchSize != null) {
      cfg = new TrainConfig(cfg.metaBatchSize(), fastBatchSize, cfg.numBatches(), cfg.gamma(), cfg.gaeLambda(),
          cfg.maml(), cfg.dtype(), cfg.seed());
    }
    Checkpoint ck = Checkpoint.load(policyFile, cfg.dataType());
    Policy policy = MetaPolicyFiles.policy(policyFile, ck, dist);
    MetaPolicyFiles.checkFits(policyFile, ck, policy, cfg);
    SplittableRandom rng = new SplittableRandom(seed);
    List<Task> drawn = dist.sample(tasks, rng.split());
    Evaluation.Result r = new Evaluation(dist, policy, cfg).run(ck.params(), drawn, rng.split());
    double[] pre = r.preReturns();
    double[] post = r.postReturns();
    System.out.printf(Locale.ROOT, "%s: %s after %d meta-iterations; %d held-out tasks (seed %d), %d episodes each,"
        + " horizon %d, %d inner step(s) of %.3g%n", dist.name(), policyFile, ck.iteration(), tasks, seed,
        cfg.fastBatchSize(), dist.horizon(), cfg.maml().innerSteps(), cfg.maml().fastLr());
    for (int i = 0; i < drawn.size(); i++) {
      System.out.printf(Locale.ROOT, "  task %-28s pre %9.2f   post %9.2f%n", drawn.get(i).params(), pre[i], post[i]);
    }
    System.out.printf(Locale.ROOT, "mean return before adaptation %9.2f%n", r.meanPre());
    System.out.printf(Locale.ROOT, "mean return after adaptation  %9.2f   (gain %.2f, sd over tasks %.2f, standard error %.2f)%n",
        r.meanPost(), r.meanPost() - r.meanPre(), r.sdGain(), r.sdGain() / Math.sqrt(tasks));
    if (out != null) {
      JsonObject o = new JsonObject();
      o.addProperty("env", dist.name());
      o.addProperty("policy", policyFile.toString());
      o.addProperty("meta_iterations", ck.iteration());
      o.addProperty("seed", seed);
      o.addProperty("episodes_per_task", cfg.fastBatchSize());
      o.addProperty("horizon", dist.horizon());
      o.addProperty("mean_pre_return", r.meanPre());
      o.addProperty("mean_post_return", r.meanPost());
      JsonArray rows = new JsonArray();
      for (int i = 0; i < drawn.size(); i++) {
        JsonObject row = new JsonObject();
        row.add("task", new com.google.gson.Gson().toJsonTree(drawn.get(i).params()));
        row.addProperty("pre_return", pre[i]);
        row.addProperty("post_return", post[i]);
        rows.add(row);
      }
      o.add("tasks", rows);
      io.maml4j.files.AtomicFiles.write(out, new GsonBuilder().setPrettyPrinting().create().toJson(o) + "\n");
      System.out.println("wrote " + out);
    }
    return 0;
  }
}
