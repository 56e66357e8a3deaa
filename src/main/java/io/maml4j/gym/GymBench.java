package io.maml4j.gym;

import io.maml4j.config.Fields;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.envs.EnvRegistry;
import io.maml4j.envs.Navigation2D;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policies;
import io.maml4j.policy.Policy;
import io.maml4j.policy.PolicySpec;
import io.maml4j.train.IterationMetrics;
import io.maml4j.train.TrainConfig;
import io.maml4j.train.Trainer;
import io.maml4j.train.TrainingListener;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Loopback throughput of the Gym HTTP API: env steps per second with one round trip per step
 * (the plain protocol) and with the batched extension (a meta-batch of instances per round trip),
 * median of several interleaved runs; then the wall time of a default 2D-navigation
 * meta-iteration through the server (batched) against in process.
 *
 * <p>Run: {@code java -cp target/maml4j.jar io.maml4j.gym.GymBench [--runs 5] [--seconds 1]
 * [--instances 400] [--iterations 3] [--warmup 1] [--url http://host:port]}. Without {@code --url}
 * it starts a server in this JVM on a free loopback port.
 */
public final class GymBench {
  private GymBench() {}

  public static void main(String[] args) throws Exception {
    // As the CLI does: JavaCPP otherwise polices physical memory by reading /proc on every allocation.
    if (System.getProperty("org.bytedeco.javacpp.maxphysicalbytes") == null) {
      System.setProperty("org.bytedeco.javacpp.maxphysicalbytes", "0");
    }
    int runs = 5;
    double seconds = 1;
    int instances = 400;
    int iterations = 3;
    int warmup = 1;
    String url = null;
    for (int i = 0; i < args.length; i++) {
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--runs" -> runs = Integer.parseInt(v);
        case "--seconds" -> seconds = Double.parseDouble(v);
        case "--instances" -> instances = Integer.parseInt(v);
        case "--iterations" -> iterations = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--url" -> url = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i]
            + " (options: --runs, --seconds, --instances, --iterations, --warmup, --url)");
      }
      i++;
    }
    GymHttpServer server = url == null ? GymHttpServer.builder().optPort(0).start() : null;
    try {
      String base = url != null ? url : server.url();
      GymHttpClient client = new GymHttpClient(base);
      System.out.printf("maml4j gym bench: %s, %d interleaved runs of %.1f s, %d cores%n", base, runs, seconds,
          Runtime.getRuntime().availableProcessors());
      double[] plain = new double[runs];
      double[] batched = new double[runs];
      plainSteps(client, 0.2);
      batchedSteps(client, instances, 0.2);
      for (int r = 0; r < runs; r++) {
        plain[r] = plainSteps(client, seconds);
        batched[r] = batchedSteps(client, instances, seconds);
      }
      double p = median(plain);
      double b = median(batched);
      System.out.printf("plain   (1 step per round trip)          %,10.0f env steps/s  runs %s%n", p, show(plain));
      System.out.printf("batched (%d instances per round trip)   %,10.0f env steps/s  runs %s%n", instances, b,
          show(batched));
      System.out.printf("batched / plain                          %10.1f x%n", b / p);
      if (iterations > 0) {
        metaIteration(base, iterations, warmup);
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  /** Steps one instance for about {@code seconds}, one round trip per step; returns steps per second. */
  static double plainSteps(GymHttpClient client, double seconds) {
    SplittableRandom rng = new SplittableRandom(1);
    try (RemoteEnvironment env = RemoteEnvironment.create(client, "navigation-2d",
        GymHttpClient.CreateOptions.task(Navigation2D.goal(0.3, 0.3)))) {
      env.reset(0);
      long steps = 0;
      long t0 = System.nanoTime();
      long end = t0 + (long) (seconds * 1e9);
      long now;
      do {
        StepResult r = env.step(new double[] {rng.nextGaussian() * 0.1, rng.nextGaussian() * 0.1});
        steps++;
        if (r.done() || steps % 100 == 0) {
          env.reset(steps);
        }
        now = System.nanoTime();
      } while (now < end);
      return steps / ((now - t0) / 1e9);
    }
  }

  /** Steps {@code n} instances together for about {@code seconds}; returns env steps per second. */
  static double batchedSteps(GymHttpClient client, int n, double seconds) {
    SplittableRandom rng = new SplittableRandom(2);
    List<Task> tasks = Navigation2D.standard().sample(n, rng);
    List<GymHttpClient.CreateOptions> opts = tasks.stream().map(GymHttpClient.CreateOptions::task).toList();
    try (RemoteVectorEnvironment venv = RemoteVectorEnvironment.create(client, "navigation-2d", opts)) {
      long[] seeds = new long[n];
      venv.reset(seeds);
      boolean[] active = new boolean[n];
      Arrays.fill(active, true);
      double[][] actions = new double[n][2];
      long steps = 0;
      long calls = 0;
      long t0 = System.nanoTime();
      long end = t0 + (long) (seconds * 1e9);
      long now;
      do {
        for (double[] a : actions) {
          a[0] = rng.nextGaussian() * 0.1;
          a[1] = rng.nextGaussian() * 0.1;
        }
        StepResult[] r = venv.step(actions, active);
        int live = 0;
        for (int i = 0; i < n; i++) {
          if (active[i]) {
            steps++;
            // The server refuses a step after an episode's end, as the sampler never makes one.
            active[i] = !r[i].done();
          }
          live += active[i] ? 1 : 0;
        }
        if (++calls % 100 == 0 || live == 0) {
          venv.reset(seeds);
          Arrays.fill(active, true);
        }
        now = System.nanoTime();
      } while (now < end);
      return steps / ((now - t0) / 1e9);
    }
  }

  /**
   * Default-config meta-iterations, alternating in process and through the server (batched), so
   * that both see the same load; prints medians and the ratio, and checks that both runs computed
   * the same returns.
   */
  static void metaIteration(String url, int iterations, int warmup) {
    TrainConfig d = TrainConfig.defaults();
    TaskDistribution local = Navigation2D.standard();
    TaskDistribution remote = EnvRegistry.standard().create(Fields.parse("bench", "{\"env\": \"gym-http\", \"url\": \"" + url
        + "\", \"env_id\": \"navigation-2d\", \"horizon\": 100, \"batch\": \"always\", "
        + "\"tasks\": {\"env\": \"navigation-2d\"}}"));
    System.out.printf("meta-iteration, default 2D navigation (%d tasks x %d episodes, H = 100, 64-64 tanh, %s), "
        + "median of %d after %d warm-up, alternating:%n", d.metaBatchSize(), d.fastBatchSize(), d.dtype(), iterations,
        warmup);
    Policy policy = Policies.create(PolicySpec.defaultGaussian(), local.observationSpace(), local.actionSpace());
    Params[] theta = new Params[2];
    List<List<IterationMetrics>> rows = List.of(new ArrayList<>(), new ArrayList<>());
    for (int it = 0; it < warmup + iterations; it++) {
      for (int k = 0; k < 2; k++) {
        // One iteration at a time: a trainer whose run ends after iteration it, resumed from the last θ.
        TrainConfig cfg = d.toBuilder().numBatches(it + 1).build();
        Trainer trainer = new Trainer(k == 0 ? local : remote, policy, cfg);
        List<IterationMetrics> out = rows.get(k);
        theta[k] = trainer.run(theta[k] == null ? trainer.initialParams() : theta[k], it, 0,
            List.of(new TrainingListener() {
              @Override
              public void onIteration(IterationMetrics m, Params p) {
                out.add(m);
              }
            }));
      }
      IterationMetrics a = rows.get(0).get(it);
      IterationMetrics b = rows.get(1).get(it);
      System.out.printf("  iteration %d: in process %.3f s, through server %.3f s%s%n", it, a.totalSeconds(),
          b.totalSeconds(), it < warmup ? " (warm-up)" : "");
      if (a.preReturn() != b.preReturn() || a.postReturn() != b.postReturn()) {
        System.out.printf("  warning: returns differ: %s vs %s%n", a, b);
      }
    }
    double[] in = medians(rows.get(0), warmup);
    double[] http = medians(rows.get(1), warmup);
    System.out.printf("  in process               %7.3f s  (sampling %.3f s)%n", in[0], in[1]);
    System.out.printf("  through server, batched  %7.3f s  (sampling %.3f s)%n", http[0], http[1]);
    System.out.printf("  server / in process      %7.2f x  (same returns: %s)%n", http[0] / in[0],
        sameReturns(rows.get(0), rows.get(1)));
  }

  private static boolean sameReturns(List<IterationMetrics> a, List<IterationMetrics> b) {
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i).preReturn() != b.get(i).preReturn() || a.get(i).postReturn() != b.get(i).postReturn()
          || a.get(i).lossAfter() != b.get(i).lossAfter()) {
        return false;
      }
    }
    return true;
  }

  /** Median total and sampling seconds of the iterations after the warm-up. */
  private static double[] medians(List<IterationMetrics> rows, int warmup) {
    List<IterationMetrics> m = rows.subList(Math.min(warmup, rows.size()), rows.size());
    return new double[] {median(m.stream().mapToDouble(IterationMetrics::totalSeconds).toArray()),
        median(m.stream().mapToDouble(IterationMetrics::samplingSeconds).toArray())};
  }

  static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    return n == 0 ? Double.NaN : n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }

  private static String show(double[] x) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < x.length; i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format("%,.0f", x[i]));
    }
    return sb.append(']').toString();
  }
}
