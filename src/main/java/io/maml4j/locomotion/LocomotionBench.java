package io.maml4j.locomotion;

import io.maml4j.env.Environment;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.ThreadedVectorEnvironment;
import io.maml4j.env.TaskDistribution;
import io.maml4j.env.VectorEnvironment;
import io.maml4j.envs.EnvRegistry;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Measures environment steps per second through {@link LocomotionEnv}, the way the sampler uses
 * it: uniform random actions over the action space, a reset every {@code horizon} steps. Reports
 * one environment on one thread, then a vector of many environments (one per episode of a
 * meta-batch) stepped on 1 thread and on the spec's thread count.
 *
 * <p>Each figure comes twice: per second of wall time, and per second of CPU time (of the stepping
 * thread, or of the whole process for the vector), which is the per-core rate even when other
 * programs share the cores.
 *
 * <p>Usage: {@code LocomotionBench [spec=environments/half-cheetah-vel.json] [envSteps=20000]
 * [runs=5] [instances=400]}. Prints the median of the runs; timings on shared machines vary by
 * tens of percent from run to run.
 */
public final class LocomotionBench {
  private LocomotionBench() {}

  /** Runs the benchmark; see the class comment for the arguments. */
  public static void main(String[] args) {
    Path spec = Path.of(args.length > 0 ? args[0] : "environments/half-cheetah-vel.json");
    int envSteps = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    int runs = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int instances = args.length > 3 ? Integer.parseInt(args[3]) : 400;
    if (envSteps < 1 || runs < 1 || instances < 1) {
      throw new IllegalArgumentException("envSteps, runs and instances must be at least 1, got " + envSteps + ", "
          + runs + " and " + instances);
    }
    TaskDistribution dist = EnvRegistry.standard().load(spec);
    if (!(dist instanceof LocomotionTasks tasks)) {
      throw new IllegalArgumentException(spec + " is not a locomotion spec but " + dist.name());
    }
    SplittableRandom rng = new SplittableRandom(0);
    int threads = tasks.config().threads();
    System.out.printf(Locale.ROOT, "%s: frame skip %d, horizon %d, %d CPUs%n", tasks.name(),
        tasks.config().frameSkip(), tasks.horizon(), Runtime.getRuntime().availableProcessors());

    try (LocomotionEnv env = tasks.make(tasks.sample(rng))) {
      single(env, rng, Math.min(envSteps, 5_000), tasks.horizon());
      double[] rates = new double[runs];
      double[] cpuRates = new double[runs];
      for (int r = 0; r < runs; r++) {
        double[] x = single(env, rng, envSteps, tasks.horizon());
        rates[r] = x[0];
        cpuRates[r] = x[1];
      }
      System.out.printf(Locale.ROOT, "1 environment, 1 thread:     %,9.0f env steps/s wall, %,9.0f per CPU second"
          + " (medians; wall runs %s)%n", median(rates), median(cpuRates), format(rates));
    }

    List<Task> batch = tasks.sample(instances, rng);
    for (int t : threads == 1 ? new int[] {1} : new int[] {1, threads}) {
      List<Environment> envs = new ArrayList<>();
      for (Task task : batch) {
        envs.add(tasks.make(task));
      }
      try (VectorEnvironment venv = new ThreadedVectorEnvironment(envs, t)) {
        int vectorSteps = Math.max(1, envSteps * t / instances);
        vector(venv, rng, Math.max(1, vectorSteps / 4), tasks.horizon());
        double[] rates = new double[runs];
        double[] cpuRates = new double[runs];
        for (int r = 0; r < runs; r++) {
          double[] x = vector(venv, rng, vectorSteps, tasks.horizon());
          rates[r] = x[0];
          cpuRates[r] = x[1];
        }
        System.out.printf(Locale.ROOT, "%d environments, %d thread%s: %,9.0f env steps/s wall, %,9.0f per CPU second"
            + " (medians; wall runs %s)%n", instances, t, t == 1 ? " " : "s", median(rates), median(cpuRates),
            format(rates));
      }
    }
  }

  private static final java.lang.management.ThreadMXBean THREADS = java.lang.management.ManagementFactory.getThreadMXBean();

  /** CPU time of the whole process in ns, or -1 if the JVM cannot tell. */
  private static long processCpu() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return os.getProcessCpuTime();
    }
    return -1;
  }

  /** Env steps per wall second and per CPU second of one environment over {@code steps} steps. */
  private static double[] single(Environment env, SplittableRandom rng, int steps, int horizon) {
    double[] action = new double[env.actionSpace().flatSize()];
    double[] high = ((io.maml4j.env.Box) env.actionSpace()).high();
    double checksum = 0;
    long start = System.nanoTime();
    long cpu = THREADS.getCurrentThreadCpuTime();
    env.reset(rng.nextLong());
    int t = 0;
    for (int s = 0; s < steps; s++) {
      for (int i = 0; i < action.length; i++) {
        action[i] = rng.nextDouble(-high[i], high[i]);
      }
      StepResult r = env.step(action);
      checksum += r.reward();
      if (r.done() || ++t == horizon) {
        env.reset(rng.nextLong());
        t = 0;
      }
    }
    double rate = steps / ((System.nanoTime() - start) * 1e-9);
    double cpuRate = steps / ((THREADS.getCurrentThreadCpuTime() - cpu) * 1e-9);
    if (Double.isNaN(checksum)) {
      throw new IllegalStateException("NaN reward");
    }
    return new double[] {rate, cpuRate};
  }

  /** Env steps per wall second and per process CPU second of a vector environment over {@code steps} vector steps. */
  private static double[] vector(VectorEnvironment venv, SplittableRandom rng, int steps, int horizon) {
    int n = venv.size();
    double[] high = ((io.maml4j.env.Box) venv.actionSpace()).high();
    double[][] actions = new double[n][high.length];
    boolean[] active = new boolean[n];
    long[] seeds = new long[n];
    long count = 0;
    long start = System.nanoTime();
    long cpu = processCpu();
    int t = 0;
    for (int s = 0; s < steps; s++) {
      if (t == 0) {
        for (int i = 0; i < n; i++) {
          seeds[i] = rng.nextLong();
        }
        venv.reset(seeds);
        Arrays.fill(active, true);
      }
      for (int i = 0; i < n; i++) {
        for (int j = 0; j < high.length; j++) {
          actions[i][j] = rng.nextDouble(-high[j], high[j]);
        }
      }
      StepResult[] res = venv.step(actions, active);
      for (int i = 0; i < n; i++) {
        if (active[i]) {
          count++;
          if (res[i].done()) {
            active[i] = false;
          }
        }
      }
      t = (t + 1) % horizon;
    }
    double wall = count / ((System.nanoTime() - start) * 1e-9);
    return new double[] {wall, count / ((processCpu() - cpu) * 1e-9)};
  }

  private static double median(double[] x) {
    double[] s = x.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  }

  private static String format(double[] rates) {
    StringBuilder b = new StringBuilder();
    for (double r : rates) {
      b.append(b.length() == 0 ? "" : " ").append(String.format(Locale.ROOT, "%.0f", r));
    }
    return b.toString();
  }
}
