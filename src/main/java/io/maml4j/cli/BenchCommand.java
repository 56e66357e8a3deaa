package io.maml4j.cli;

import io.maml4j.autodiff.Tensor;
import io.maml4j.config.Fields;
import io.maml4j.env.TaskDistribution;
import io.maml4j.meta.CurvatureBench;
import io.maml4j.policy.Params;
import io.maml4j.train.IterationMetrics;
import io.maml4j.train.Run;
import io.maml4j.train.RunConfig;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import io.maml4j.train.TrainingListener;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code maml4j bench}: median wall time of a meta-iteration of a spec's run (its train and policy
 * sections, as {@code train} resolves them), split into sampling, adaptation and meta-step, with
 * matrix-product throughput and peak memory.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Benchmark meta-iterations of a spec's run (default environments/navigation-2d.json): its"
        + " \"train\" and \"policy\" sections, as train would run them.")
public final class BenchCommand implements Callable<Integer> {
  @Mixin
  EnvOption env;

  @Option(names = "--iterations", defaultValue = "20", description = "Measured iterations (default ${DEFAULT-VALUE}).")
  int iterations;

  @Option(names = "--warmup", defaultValue = "3", description = "Unmeasured warm-up iterations (default ${DEFAULT-VALUE}).")
  int warmup;

  @Mixin
  DtypeOption dtype;

  @Option(names = "--products", description = "Instead of meta-iterations, time each curvature product (Fisher,"
      + " inner Hessian-vector product, J^T F J) for one task of the spec's size, tape and structured;"
      + " --iterations products each after --warmup.")
  boolean products;

  @Option(names = "--gemm", description = "Instead of meta-iterations, time float32 matrix products of the"
      + " meta-step's shapes with the loaded BLAS, and a task group's batched product through per-task slices of"
      + " Nd4j.gemm against maml4j's direct BLAS calls; --iterations products each after --warmup.")
  boolean gemm;

  @Mixin
  ClusterOptions cluster;

  @Option(names = "--phases", description = "Classification specs: one meta-batch timed as forward, first-order"
      + " backward and the second-order term, with FLOPs, GFLOP/s and peak RSS (one thread).")
  boolean phases;

  @Override
  public Integer call() {
    try (io.maml4j.cluster.ClusterDriver driver = cluster.connect()) {
      return bench(driver);
    }
  }

  private Integer bench(io.maml4j.cluster.ClusterDriver driver) {
    if (iterations < 1 || warmup < 0) {
      throw new IllegalArgumentException("--iterations must be at least 1 and --warmup at least 0, got " + iterations
          + " and " + warmup);
    }
    List<Fields> overrides = new ArrayList<>();
    overrides.add(Fields.parse("bench", "{\"num_batches\": " + (warmup + iterations) + "}"));
    if (dtype.dtype != null) {
      overrides.add(Fields.parse("--dtype " + dtype.dtype, "{\"dtype\": \"" + dtype.orElse(null) + "\"}"));
    }
    Run run = Run.resolve(env.orDefault(TrainCommand.DEMO_ENV), null, overrides, RunConfig.defaultThreads());
    TaskDistribution dist = run.distribution();
    TrainConfig cfg = run.train();
    System.out.println("BLAS                    " + blasLibrary());
    if (products) {
      return products(run);
    }
    if (gemm) {
      return gemm();
    }
    if (phases) {
      return phases(run);
    }
    Trainer trainer = ClusterOptions.trainer(run, run.metaLearner(), driver);
    List<double[]> rows = new ArrayList<>();
    // Per measured iteration: rounds, bytes sent, bytes received; and the times of its rounds
    // after the first (the one that samples), which are the curvature and line-search rounds.
    List<double[]> traffic = new ArrayList<>();
    List<Double> laterRounds = new ArrayList<>();
    List<Double> overheads = new ArrayList<>();
    long[] mark = new long[3];
    long[] flops = new long[1];
    List<Long> rss = new ArrayList<>();
    // Per measured iteration: sampling's thread time over the environments' own (reset and step).
    List<Double> overEnv = new ArrayList<>();
    long[] samplerMark = new long[2];
    TrainingListener probe = new TrainingListener() {
      long flopsAtStart;

      @Override
      public void onStart(int start, int total) {
        // With no warm-up the first measured iteration is the first one: count from here.
        flopsAtStart = Tensor.gemmFlops();
      }

      @Override
      public void onIteration(IterationMetrics m, Params theta) {
        if (m.iteration() == warmup - 1) {
          flopsAtStart = Tensor.gemmFlops();
        }
        if (driver != null) {
          io.maml4j.cluster.ClusterDriver.Stats st = driver.stats();
          List<Double> times = st.roundSeconds();
          if (m.iteration() >= warmup) {
            traffic.add(new double[] {st.rounds() - mark[0], st.bytesSent() - mark[1], st.bytesReceived() - mark[2]});
            laterRounds.addAll(times.subList((int) Math.min(mark[0] + 1, times.size()), times.size()));
            List<Double> over = st.overheadSeconds();
            overheads.addAll(over.subList((int) Math.min(mark[0], over.size()), over.size()));
          }
          mark[0] = st.rounds();
          mark[1] = st.bytesSent();
          mark[2] = st.bytesReceived();
        }
        long env = io.maml4j.sampler.VectorSampler.environmentNanos();
        long sampling = io.maml4j.sampler.VectorSampler.samplingNanos();
        if (m.iteration() >= warmup && env > samplerMark[0]) {
          overEnv.add((double) (sampling - samplerMark[1]) / (env - samplerMark[0]));
        }
        samplerMark[0] = env;
        samplerMark[1] = sampling;
        if (m.iteration() >= warmup) {
          rows.add(new double[] {m.samplingSeconds(), m.adaptationSeconds(), m.metaStepSeconds(), m.totalSeconds(),
              m.envSteps()});
          flops[0] = Tensor.gemmFlops() - flopsAtStart;
          rss.add(currentRss());
          Runtime rt = Runtime.getRuntime();
          System.err.printf("iteration %d: %.3f s (sampling %.3f, adaptation %.3f, meta-step %.3f), RSS %d MB"
                  + " (%s, Java heap %d MB)%n",
              m.iteration(), m.totalSeconds(), m.samplingSeconds(), m.adaptationSeconds(), m.metaStepSeconds(),
              rss.get(rss.size() - 1) >> 20, io.maml4j.autodiff.Arena.memoryReport(),
              (rt.totalMemory() - rt.freeMemory()) >> 20);
        }
      }
    };
    trainer.run(trainer.initialParams(), 0, 0, List.of(probe));
    double[] med = new double[5];
    double totalTime = 0;
    for (int c = 0; c < med.length; c++) {
      final int col = c;
      med[c] = median(rows.stream().mapToDouble(r -> r[col]).toArray());
    }
    for (double[] r : rows) {
      totalTime += r[3];
    }
    System.out.printf("maml4j bench: %s, %d tasks x %d episodes, %s, %s, %s, %s, %d iterations after %d"
            + " warm-up%n", dist.name(), cfg.metaBatchSize(), cfg.fastBatchSize(), run.config().policy(),
        cfg.metaOptimizer(), cfg.dtype(), driver == null ? run.config().threads() + " threads"
            : driver.workers().size() + " cluster workers", iterations, warmup);
    System.out.printf("env steps per iteration %.0f%n", med[4]);
    System.out.printf("median meta-iteration   %.3f s%n", med[3]);
    System.out.printf("  sampling              %.3f s%n", med[0]);
    if (!overEnv.isEmpty()) {
      // Only environments sampled in this process are timed (not a cluster's workers).
      double r = median(overEnv.stream().mapToDouble(Double::doubleValue).toArray());
      System.out.printf("    in environments     %.0f%% of sampling's thread time: sampling takes %.2fx the"
          + " environments' own reset and step time%n", 100 / r, r);
    }
    System.out.printf("  adaptation            %.3f s%n", med[1]);
    String step = "  meta-step (" + switch (cfg.metaOptimizer()) {
      case "trpo" -> "TRPO";
      case "promp" -> "ProMP";
      default -> "Adam";
    } + ")";
    System.out.printf("%-24s%.3f s%n", step, med[2]);
    System.out.printf("matrix products         %.1f GFLOP per iteration, %.1f GFLOP/s over the whole iteration%n",
        flops[0] / 1e9 / Math.max(1, rows.size()), flops[0] / 1e9 / totalTime);
    System.out.printf("peak RSS                %d MB (first measured iteration %d MB, last %d MB)%n",
        peakRss() >> 20, rss.isEmpty() ? 0 : rss.get(0) >> 20, rss.isEmpty() ? 0 : rss.get(rss.size() - 1) >> 20);
    if (driver != null) {
      System.out.printf("cluster rounds          %.0f per iteration (the first samples, the last closes)%n",
          median(traffic.stream().mapToDouble(r -> r[0]).toArray()));
      System.out.printf("cluster bytes           %.1f kB sent, %.1f kB received per iteration (Java-serialized)%n",
          median(traffic.stream().mapToDouble(r -> r[1]).toArray()) / 1e3,
          median(traffic.stream().mapToDouble(r -> r[2]).toArray()) / 1e3);
      System.out.printf("cluster round           %.2f ms median after the first of an iteration (%d rounds)%n",
          1e3 * median(laterRounds.stream().mapToDouble(Double::doubleValue).toArray()), laterRounds.size());
      System.out.printf("cluster round overhead  %.2f ms median (a round's wall time less its slowest member's compute)%n",
          1e3 * median(overheads.stream().mapToDouble(Double::doubleValue).toArray()));
    }
    printProfile();
    return 0;
  }

  private int products(Run run) {
    TrainConfig cfg = run.train();
    int rows = cfg.fastBatchSize() * run.distribution().horizon();
    List<CurvatureBench.Row> out = CurvatureBench.run(run.policy(), cfg.maml(), rows, cfg.dataType(), warmup,
        iterations, cfg.seed());
    System.out.printf("maml4j bench --products: %s, one task of %d rows, %s, %s, %d inner step%s, %d products each"
            + " after %d warm-up, one thread%n", run.distribution().name(), rows, run.config().policy(), cfg.dtype(),
        cfg.maml().innerSteps(), cfg.maml().innerSteps() == 1 ? "" : "s", iterations, warmup);
    System.out.printf("%-10s %-11s %12s %12s %10s %9s%n", "product", "path", "median ms", "MFLOP", "GFLOP/s",
        "speed-up");
    double tape = Double.NaN;
    for (CurvatureBench.Row r : out) {
      if (r.path().equals("tape")) {
        tape = r.medianSeconds();
      }
      String up = r.path().equals("tape") ? "" : String.format("%.2fx", tape / r.medianSeconds());
      System.out.printf("%-10s %-11s %12.3f %12.1f %10.1f %9s%n", r.product(), r.path(), r.medianSeconds() * 1e3,
          r.flops() / 1e6, r.gflops(), up);
    }
    printProfile();
    return 0;
  }

  /** The OpenBLAS shared library mapped into this process, to show which one ND4J loaded. */
  static String blasLibrary() {
    // Loading ND4J's backend maps its BLAS; before that nothing is mapped.
    org.nd4j.linalg.factory.Nd4j.create(1);
    try {
      return Files.readAllLines(Path.of("/proc/self/maps")).stream().map(l -> l.substring(l.lastIndexOf(' ') + 1))
          .filter(f -> f.contains("/libopenblas")).findFirst().orElse("(no OpenBLAS mapped)");
    } catch (java.io.IOException e) {
      return "(unknown: " + e.getMessage() + ")";
    }
  }

  private int gemm() {
    long[][] shapes = {{2000, 64, 64, 0, 0}, {2000, 64, 64, 0, 1}, {64, 64, 2000, 1, 0}, {40000, 64, 64, 0, 0},
        {64, 64, 40000, 1, 0}, {1024, 1024, 1024, 0, 0}};
    System.out.printf("%-28s %10s %10s%n", "float32 product (m x k . k x n)", "median ms", "GFLOP/s");
    java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
    for (long[] sh : shapes) {
      long m = sh[0];
      long n = sh[1];
      long k = sh[2];
      boolean ta = sh[3] == 1;
      boolean tb = sh[4] == 1;
      org.nd4j.linalg.api.ndarray.INDArray a = org.nd4j.linalg.factory.Nd4j.rand(
          org.nd4j.linalg.api.buffer.DataType.FLOAT, ta ? k : m, ta ? m : k);
      org.nd4j.linalg.api.ndarray.INDArray b = org.nd4j.linalg.factory.Nd4j.rand(
          org.nd4j.linalg.api.buffer.DataType.FLOAT, tb ? n : k, tb ? k : n);
      org.nd4j.linalg.api.ndarray.INDArray c = org.nd4j.linalg.factory.Nd4j.create(
          org.nd4j.linalg.api.buffer.DataType.FLOAT, m, n);
      double[] t = new double[iterations];
      for (int i = 0; i < warmup + iterations; i++) {
        long t0 = System.nanoTime();
        org.nd4j.linalg.factory.Nd4j.gemm(a, b, c, ta, tb, 1.0, 0.0);
        if (i >= warmup) {
          t[i - warmup] = (System.nanoTime() - t0) / 1e9;
        }
      }
      double med = median(t);
      String name = (ta ? "(" + k + "x" + m + ")^T" : m + "x" + k) + " . " + (tb ? "(" + n + "x" + k + ")^T" : k + "x" + n);
      System.out.printf("%-28s %10.3f %10.1f%n", name, med * 1e3, 2.0 * m * n * k / med / 1e9);
    }
    // A task group's batched product, as the meta-step takes it: per-task slices through
    // Nd4j.gemm (what maml4j did before) against the direct BLAS calls it makes now.
    int batch = 10;
    org.nd4j.linalg.api.ndarray.INDArray a = org.nd4j.linalg.factory.Nd4j.rand(
        org.nd4j.linalg.api.buffer.DataType.FLOAT, batch, 2000, 64);
    org.nd4j.linalg.api.ndarray.INDArray b = org.nd4j.linalg.factory.Nd4j.rand(
        org.nd4j.linalg.api.buffer.DataType.FLOAT, batch, 64, 64);
    org.nd4j.linalg.api.ndarray.INDArray c = org.nd4j.linalg.factory.Nd4j.create(
        org.nd4j.linalg.api.buffer.DataType.FLOAT, batch, 2000, 64);
    io.maml4j.autodiff.Tensor ta = io.maml4j.autodiff.Tensor.constant(a);
    io.maml4j.autodiff.Tensor tb = io.maml4j.autodiff.Tensor.constant(b);
    double[][] t = new double[2][iterations];
    for (int i = 0; i < warmup + iterations; i++) {
      // Alternating, so that both see the same machine.
      long t0 = System.nanoTime();
      for (int j = 0; j < batch; j++) {
        org.nd4j.linalg.factory.Nd4j.gemm(a.slice(j), b.slice(j), c.slice(j), false, false, 1.0, 0.0);
      }
      long t1 = System.nanoTime();
      try (io.maml4j.autodiff.Arena arena = io.maml4j.autodiff.Arena.open()) {
        io.maml4j.autodiff.Fused.matmulSum(ta, tb, false, false, null, null, false, false);
      }
      long t2 = System.nanoTime();
      if (i >= warmup) {
        t[0][i - warmup] = (t1 - t0) / 1e9;
        t[1][i - warmup] = (t2 - t1) / 1e9;
      }
    }
    double flop = 2.0 * batch * 2000 * 64 * 64;
    System.out.printf("%-28s %10.3f %10.1f%n", batch + " x 2000x64 . 64x64, slices", median(t[0]) * 1e3,
        flop / median(t[0]) / 1e9);
    System.out.printf("%-28s %10.3f %10.1f%n", batch + " x 2000x64 . 64x64, maml4j", median(t[1]) * 1e3,
        flop / median(t[1]) / 1e9);
    return 0;
  }

  private int phases(Run run) {
    if (!(run.distribution() instanceof io.maml4j.vision.FewShotClassification f)) {
      throw new IllegalArgumentException("--phases needs a classification spec (glyphs, fashion-mnist, omniglot), got env "
          + run.distribution().name());
    }
    TrainConfig cfg = run.train();
    List<io.maml4j.vision.FewShotBench.Phase> ph = io.maml4j.vision.FewShotBench.measure(run.policy(), f,
        cfg.metaBatchSize(), cfg.maml().fastLr(), cfg.dataType(), cfg.seed(), warmup, iterations);
    System.out.printf("maml4j bench --phases: %s %d-way %d-shot, %d queries per class, meta-batch %d, %s, %s, median of %d"
        + " after %d warm-up%n", f.name(), f.ways(), f.shots(), f.queries(), cfg.metaBatchSize(), run.config().policy(),
        cfg.dtype(), iterations, warmup);
    for (io.maml4j.vision.FewShotBench.Phase p : ph) {
      System.out.printf("  %-30s %8.3f s  %7.2f GFLOP  %6.2f GFLOP/s%n", p.name(), p.seconds(), p.flops() / 1e9,
          p.seconds() > 0 ? p.flops() / 1e9 / p.seconds() : Double.NaN);
    }
    System.out.printf("peak RSS %d MB (%s)%n", peakRss() >> 20, io.maml4j.autodiff.Arena.memoryReport());
    printProfile();
    return 0;
  }

  /** The per-kernel profile, when run with -Dmaml4j.profile=true. */
  private static void printProfile() {
    if (Boolean.getBoolean("maml4j.profile")) {
      System.out.print(Tensor.profile());
    }
  }

  static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }

  static long peakRss() {
    return statusField("VmHWM:");
  }

  static long currentRss() {
    return statusField("VmRSS:");
  }

  private static long statusField(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
        }
      }
    } catch (java.io.IOException | NumberFormatException e) {
      return -1;
    }
    return -1;
  }
}
