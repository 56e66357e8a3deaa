package io.maml4j.experiments;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.maml4j.config.ConfigException;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import io.maml4j.train.Checkpoint;
import io.maml4j.train.IterationMetrics;
import io.maml4j.plot.ChartOptions;
import io.maml4j.train.Run;
import io.maml4j.train.RunDirectory;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import io.maml4j.train.TrainingListener;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The MAML paper's sinusoid experiment (Finn et al. 2017, Section 5.1) end to end: meta-train
 * MAML with Adam, train the "pretrained" baseline on all tasks jointly with the same optimiser
 * and data, then fine-tune both on K = 5, 10, 20 examples of held-out sinusoids and report the
 * mean squared error after 0..N gradient steps. The baseline is scored both with MAML's step
 * size and with the step size from a grid that does best on separate validation tasks, as the
 * paper tunes it. Writes JSON and CSV, and the charts through {@link SinusoidChart}.
 */
public final class SinusoidExperiment {
  /**
   * What to run besides the run itself.
   *
   * @param out the directory the figures (and the runs, in {@code out/maml} and {@code
   *     out/pretrained}) are written to
   * @param mamlPolicy a trained MAML policy or checkpoint to evaluate instead of training one
   * @param pretrainedPolicy likewise for the pretrained baseline
   * @param lrGrid step sizes tried for the pretrained baseline
   */
  public record Options(Path out, Path mamlPolicy, Path pretrainedPolicy, int evalTasks, int testPoints,
      int maxSteps, int[] shots, long testSeed, double[] lrGrid) {
    public Options {
      if (evalTasks < 1 || testPoints < 1 || maxSteps < 1 || shots.length == 0) {
        throw new IllegalArgumentException("need tasks, test points, steps >= 1 and some shots, got " + evalTasks
            + ", " + testPoints + ", " + maxSteps + ", " + shots.length);
      }
      shots = shots.clone();
      lrGrid = lrGrid.clone();
    }
  }

  private final Run run;
  private final Options o;
  private final PrintStream log;

  /**
   * @param run the MAML run: the sinusoid spec, the model and the training config (iterations
   *     and seed included), as {@code train} would resolve them; the pretrained baseline is the
   *     same run with no inner step
   */
  public SinusoidExperiment(Run run, Options options, PrintStream log) {
    this.run = run;
    this.o = options;
    this.log = log;
  }

  /** A model together with how long it was trained. */
  record Trained(Params theta, int iterations) {}

  /** Runs everything and returns the summary that is also written to {@code out/sinusoid-eval.json}. */
  public JsonObject run() {
    if (!(run.distribution() instanceof SupervisedTaskDistribution dist)) {
      throw new ConfigException(run.config().env().file() + ": expected a supervised environment such as sinusoid,"
          + " got " + run.distribution().name());
    }
    TrainConfig cfg = run.train();
    Policy model = run.policy();
    double alpha = cfg.maml().fastLr();
    // Joint training on every task (Section 5.1's "pretrained") is MAML with no inner step.
    Run joint = run.withTrain(cfg.toBuilder().innerSteps(0).build());

    Trained maml = o.mamlPolicy() != null ? load(run, o.mamlPolicy()) : train("maml", dist, run);
    Trained pre = o.pretrainedPolicy() != null ? load(joint, o.pretrainedPolicy()) : train("pretrained", dist, joint);

    JsonObject summary = new JsonObject();
    summary.addProperty("maml4j_version", run.config().version());
    summary.addProperty("env_spec", run.config().env().file());
    summary.addProperty("maml_iterations", maml.iterations());
    summary.addProperty("pretrained_iterations", pre.iterations());
    summary.addProperty("fast_lr", alpha);
    summary.addProperty("eval_tasks", o.evalTasks());
    summary.addProperty("test_points", o.testPoints());
    summary.addProperty("test_seed", o.testSeed());
    JsonArray results = new JsonArray();
    StringBuilder csv = new StringBuilder("method,shots,lr,step,mse,ci95\n");
    for (int k : o.shots()) {
      FewShotRegression test = new FewShotRegression(dist, o.evalTasks(), k, o.testPoints(), o.testSeed() + k);
      FewShotRegression validation = new FewShotRegression(dist, o.evalTasks(), k, o.testPoints(),
          o.testSeed() + 1_000_003L * (k + 1));
      double tuned = bestStepSize(validation, model, pre.theta());
      List<SinusoidChart.ErrorCurve> curves = new ArrayList<>();
      curves.add(curve(results, csv, "MAML", k, alpha, test.errors(model, maml.theta(), alpha, o.maxSteps())));
      curves.add(curve(results, csv, "pretrained", k, alpha, test.errors(model, pre.theta(), alpha, o.maxSteps())));
      SinusoidChart.ErrorCurve tunedCurve = curve(results, csv, "pretrained, tuned step", k, tuned,
          test.errors(model, pre.theta(), tuned, o.maxSteps()));
      if (tuned != alpha) {
        curves.add(tunedCurve);
      }
      io.maml4j.plot.Figure.writeSideBySide(o.out().resolve("sinusoid-mse-k" + k + ".png"),
          new ChartOptions(800, 500, false),
          SinusoidChart.errorChart(String.format(Locale.ROOT, "%d-shot sinusoid regression, %d held-out tasks", k,
              o.evalTasks()), curves));
      fitFigure(test, model, maml.theta(), pre.theta(), alpha, tuned, k);
    }
    summary.add("results", results);
    io.maml4j.files.AtomicFiles.write(o.out().resolve("sinusoid-eval.json"),
        new GsonBuilder().setPrettyPrinting().create().toJson(summary));
    io.maml4j.files.AtomicFiles.write(o.out().resolve("sinusoid-eval.csv"), csv.toString());
    return summary;
  }

  private Trained load(Run r, Path file) {
    Checkpoint ck = r.load(file);
    log.printf("loaded %s (%d meta-iterations)%n", file, ck.iteration());
    return new Trained(ck.params(), ck.iteration());
  }

  private Trained train(String name, TaskDistribution dist, Run r) {
    TrainConfig cfg = r.train();
    RunDirectory files = new RunDirectory(o.out().resolve(name), r.config().policy());
    if (files.existingRunFile().isPresent()) {
      throw new ConfigException(files.existingRunFile().get() + ": a run already exists here; pass it with --" + name
          + " or choose another --out");
    }
    files.writeConfig(r.config().toJson());
    Trainer trainer = r.trainer(r.metaLearner());
    int every = Math.max(1, cfg.numBatches() / 20);
    TrainingListener progress = new TrainingListener() {
      double post;
      int n;

      @Override
      public void onIteration(IterationMetrics m, Params theta) {
        post += m.postReturn();
        n++;
        if ((m.iteration() + 1) % every == 0) {
          log.printf(Locale.ROOT, "%s: iteration %d/%d, mean post-adaptation MSE over the last %d: %.3f%n", name,
              m.iteration() + 1, cfg.numBatches(), n, -post / n);
          post = 0;
          n = 0;
        }
      }
    };
    log.printf("training %s for %d iterations into %s%n", name, cfg.numBatches(), files.dir());
    Params theta = trainer.run(trainer.initialParams(), 0, 0, List.of(progress, files));
    return new Trained(theta, cfg.numBatches());
  }

  /** The grid step size with the lowest mean error over steps 1..N on validation tasks. */
  private double bestStepSize(FewShotRegression validation, Policy model, Params theta) {
    double best = Double.NaN;
    double bestErr = Double.POSITIVE_INFINITY;
    for (double lr : o.lrGrid()) {
      double[][] e = FewShotRegression.meanAndCi(validation.errors(model, theta, lr, o.maxSteps()));
      double avg = 0;
      for (int s = 1; s < e.length; s++) {
        avg += e[s][0] / (e.length - 1);
      }
      if (avg < bestErr) {
        bestErr = avg;
        best = lr;
      }
    }
    return best;
  }

  private SinusoidChart.ErrorCurve curve(JsonArray results, StringBuilder csv, String method, int k, double lr,
      double[][] perTask) {
    double[][] mc = FewShotRegression.meanAndCi(perTask);
    double[] mean = new double[mc.length];
    double[] ci = new double[mc.length];
    JsonArray m = new JsonArray();
    JsonArray c = new JsonArray();
    for (int s = 0; s < mc.length; s++) {
      mean[s] = mc[s][0];
      ci[s] = mc[s][1];
      m.add(mean[s]);
      c.add(ci[s]);
      csv.append(String.format(Locale.ROOT, "%s,%d,%s,%d,%.6f,%.6f%n", method, k, lr, s, mean[s], ci[s]));
    }
    JsonObject r = new JsonObject();
    r.addProperty("method", method);
    r.addProperty("shots", k);
    r.addProperty("lr", lr);
    r.add("mse", m);
    r.add("ci95", c);
    results.add(r);
    log.printf(Locale.ROOT, "K=%-2d %-24s lr %-6s MSE after 0 steps %.3f, 1 step %.3f (±%.3f), %d steps %.3f%n", k,
        method, lr, mean[0], mean[1], ci[1], mean.length - 1, mean[mean.length - 1]);
    return new SinusoidChart.ErrorCurve(String.format(Locale.ROOT, "%s (step %s)", method, lr), mean, ci);
  }

  /** The paper's Figure 2 for the first held-out task: MAML and pretrained side by side. */
  private void fitFigure(FewShotRegression test, Policy model, Params maml, Params pre, double alpha, double tuned,
      int k) {
    int n = 200;
    double[] grid = new double[n];
    for (int i = 0; i < n; i++) {
      grid[i] = -5.0 + 10.0 * i / (n - 1);
    }
    Task task = test.tasks().get(0);
    double[] truth = new double[n];
    for (int i = 0; i < n; i++) {
      truth[i] = io.maml4j.envs.Sinusoid.value(task, grid[i]);
    }
    double[] px = new double[k];
    double[] py = new double[k];
    double[] in = test.train().inputs();
    double[] tg = test.train().targets();
    System.arraycopy(in, 0, px, 0, k);
    System.arraycopy(tg, 0, py, 0, k);
    double[][][] pm = test.predictions(model, maml, alpha, o.maxSteps(), grid);
    double[][][] pp = test.predictions(model, pre, tuned, o.maxSteps(), grid);
    int last = o.maxSteps();
    StringBuilder csv = new StringBuilder("x,truth,maml_pre,maml_1,maml_" + last + ",pretrained_pre,pretrained_1,"
        + "pretrained_" + last + "\n");
    for (int i = 0; i < n; i++) {
      csv.append(String.format(Locale.ROOT, "%.5f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f,%.6f%n", grid[i], truth[i],
          pm[0][0][i], pm[1][0][i], pm[last][0][i], pp[0][0][i], pp[1][0][i], pp[last][0][i]));
    }
    io.maml4j.files.AtomicFiles.write(o.out().resolve("sinusoid-fit-k" + k + ".csv"), csv.toString());
    String steps = last + " grad steps";
    io.maml4j.plot.Figure.writeSideBySide(o.out().resolve("sinusoid-fit-k" + k + ".png"),
        new ChartOptions(1400, 500, false),
        SinusoidChart.fitChart("MAML, K = " + k, grid, truth, List.of(
            new SinusoidChart.Curve("pre-update", pm[0][0]),
            new SinusoidChart.Curve("1 grad step", pm[1][0]),
            new SinusoidChart.Curve(steps, pm[last][0])), px, py),
        SinusoidChart.fitChart("pretrained, K = " + k + ", step " + tuned, grid, truth, List.of(
            new SinusoidChart.Curve("pre-update", pp[0][0]),
            new SinusoidChart.Curve("1 grad step", pp[1][0]),
            new SinusoidChart.Curve(steps, pp[last][0])), px, py));
  }
}
