package io.maml4j.sampler;

import io.maml4j.autodiff.Tape;
import io.maml4j.env.Discrete;
import io.maml4j.env.EnvironmentChecks;
import io.maml4j.env.EnvironmentChecks.Site;
import io.maml4j.env.EnvironmentException;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.env.VectorEnvironment;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Steps all T x K episodes of a meta-batch together: one policy forward per time step for every
 * live episode of every task, then one vectorised environment step.
 */
public final class VectorSampler implements Sampler {
  // Nanoseconds spent inside environments (reset and step) and in all of sampling, summed over
  // every thread since start: benchmarks read their differences to split sampling's time.
  private static final java.util.concurrent.atomic.AtomicLong ENV_NANOS = new java.util.concurrent.atomic.AtomicLong();
  private static final java.util.concurrent.atomic.AtomicLong SAMPLING_NANOS =
      new java.util.concurrent.atomic.AtomicLong();

  /** Nanoseconds spent in environments' reset and step calls, summed over threads, since start. */
  public static long environmentNanos() {
    return ENV_NANOS.get();
  }

  /** Nanoseconds spent sampling (environments, policy and bookkeeping), summed over threads, since start. */
  public static long samplingNanos() {
    return SAMPLING_NANOS.get();
  }

  private final TaskDistribution distribution;
  private final boolean deterministic;

  /** Samples actions from the policy's distribution. */
  public VectorSampler(TaskDistribution distribution) {
    this(distribution, false);
  }

  /** @param deterministic take the distribution's mode instead of sampling (for evaluation) */
  public VectorSampler(TaskDistribution distribution, boolean deterministic) {
    this.distribution = distribution;
    this.deterministic = deterministic;
  }

  @Override
  public Episodes sample(Policy policy, Params params, List<Task> tasks, int k, SplittableRandom rng) {
    return run(policy, params, tasks, k, rng, null);
  }

  @Override
  public Episodes sample(Policy policy, Params params, List<Task> tasks, int k, List<SplittableRandom> perTask) {
    if (perTask.size() != tasks.size()) {
      throw new IllegalArgumentException(perTask.size() + " task streams for " + tasks.size() + " tasks");
    }
    return run(policy, params, tasks, k, null, perTask);
  }

  /** Draws from {@code rng} alone, or task by task from {@code perTask}. */
  private Episodes run(Policy policy, Params params, List<Task> tasks, int k, SplittableRandom rng,
      List<SplittableRandom> perTask) {
    if (k <= 0) {
      throw new IllegalArgumentException("episodes per task must be greater than 0, got " + k);
    }
    int nTasks = tasks.size();
    int n = nTasks * k;
    int horizon = distribution.horizon();
    int obsDim = policy.observationSpace().flatSize();
    int actDim = policy.actionSpace().flatSize();
    List<Task> perEnv = new ArrayList<>(n);
    for (Task t : tasks) {
      for (int e = 0; e < k; e++) {
        perEnv.add(t);
      }
    }
    double[] obsBuf = new double[n * horizon * obsDim];
    double[] actBuf = new double[n * horizon * actDim];
    double[] rewBuf = new double[n * horizon];
    int[] lengths = new int[n];
    boolean[] truncated = new boolean[n];
    double[] finalObs = new double[n * obsDim];
    long[] seeds = new long[n];
    for (int i = 0; i < n; i++) {
      seeds[i] = (rng != null ? rng : perTask.get(i / k)).nextLong();
    }
    boolean discrete = policy.actionSpace() instanceof Discrete;
    Space obsSpace = distribution.observationSpace();
    if (obsSpace.flatSize() != obsDim || distribution.actionSpace().flatSize() != actDim) {
      throw new IllegalArgumentException("policy spaces " + policy.observationSpace() + " -> " + policy.actionSpace()
          + " do not fit environment '" + distribution.name() + "' with " + obsSpace + " -> "
          + distribution.actionSpace());
    }
    Site[] sites = new Site[n];
    for (int i = 0; i < n; i++) {
      sites[i] = new Site(distribution.name(), perEnv.get(i), i % k, 0);
    }
    try (VectorEnvironment venv = distribution.makeVector(perEnv); Tape.Scope ng = Tape.noGrad()) {
      EnvironmentChecks.spaces(distribution.name(), perEnv.get(0), obsSpace, distribution.actionSpace(),
          venv.observationSpace(), venv.actionSpace());
      long t0 = System.nanoTime();
      double[][] obs = venv.reset(seeds);
      long envNanos = System.nanoTime() - t0;
      if (obs == null || obs.length != n) {
        throw new EnvironmentException("environment '" + distribution.name() + "': reset of " + n
            + " instances returned " + (obs == null ? "nothing" : obs.length + " observations"));
      }
      for (int i = 0; i < n; i++) {
        EnvironmentChecks.observation(sites[i], obsSpace, obs[i]);
      }
      Rollout ro = new Rollout(policy, params, venv, sites, obs, nTasks, k, horizon, obsDim, actDim, discrete,
          obsSpace, rng, perTask, obsBuf, actBuf, rewBuf, lengths, truncated, finalObs);
      for (int h = 0; h < horizon && ro.live > 0; h++) {
        ro.step(h);
      }
      envNanos += ro.envNanos;
      ENV_NANOS.addAndGet(envNanos);
      SAMPLING_NANOS.addAndGet(System.nanoTime() - t0);
    }
    return new Episodes(tasks, k, horizon, obsDim, actDim, obsBuf, actBuf, rewBuf, lengths, truncated, finalObs);
  }

  /**
   * One sampling run's state, advanced a time step per {@link #step} call. A method per step
   * rather than one loop over the horizon in {@link #run}: the JIT compiles a method called every
   * step once, where a long-running loop was compiled on-stack four times over (about 8 s of
   * compiler time on a 2-core machine, JFR's jdk.Compilation events, competing with the run).
   */
  private final class Rollout {
    private final Policy policy;
    private final Params params;
    private final VectorEnvironment venv;
    private final Site[] sites;
    private final double[][] obs;
    private final int nTasks;
    private final int k;
    private final int n;
    private final int horizon;
    private final int obsDim;
    private final int actDim;
    private final boolean discrete;
    private final Space obsSpace;
    private final SplittableRandom rng;
    private final List<SplittableRandom> perTask;
    private final double[] obsBuf;
    private final double[] actBuf;
    private final double[] rewBuf;
    private final int[] lengths;
    private final boolean[] truncated;
    private final double[] finalObs;
    private final boolean[] active;
    private final double[] flat;
    private final double[][] actions;
    int live;
    long envNanos;

    Rollout(Policy policy, Params params, VectorEnvironment venv, Site[] sites, double[][] obs,
        int nTasks, int k, int horizon, int obsDim, int actDim, boolean discrete, Space obsSpace,
        SplittableRandom rng, List<SplittableRandom> perTask, double[] obsBuf, double[] actBuf, double[] rewBuf,
        int[] lengths, boolean[] truncated, double[] finalObs) {
      this.policy = policy;
      this.params = params;
      this.venv = venv;
      this.sites = sites;
      this.obs = obs;
      this.nTasks = nTasks;
      this.k = k;
      this.n = nTasks * k;
      this.horizon = horizon;
      this.obsDim = obsDim;
      this.actDim = actDim;
      this.discrete = discrete;
      this.obsSpace = obsSpace;
      this.rng = rng;
      this.perTask = perTask;
      this.obsBuf = obsBuf;
      this.actBuf = actBuf;
      this.rewBuf = rewBuf;
      this.lengths = lengths;
      this.truncated = truncated;
      this.finalObs = finalObs;
      this.active = new boolean[n];
      java.util.Arrays.fill(active, true);
      this.live = n;
      this.flat = new double[n * obsDim];
      this.actions = new double[n][actDim];
    }

    /** Time step h for every live episode: one policy forward, one vectorised environment step. */
    void step(int h) {
      for (int i = 0; i < n; i++) {
        System.arraycopy(obs[i], 0, flat, i * obsDim, obsDim);
        if (active[i]) {
          System.arraycopy(obs[i], 0, obsBuf, (i * horizon + h) * obsDim, obsDim);
        }
      }
      // act prefers rng to perTask, and gives the mode when both are null.
      double[] a = deterministic ? policy.act(params, flat, nTasks, k, null, null)
          : policy.act(params, flat, nTasks, k, rng, perTask);
      for (int i = 0; i < n; i++) {
        System.arraycopy(a, i * actDim, actions[i], 0, actDim);
      }
      long ts = System.nanoTime();
      StepResult[] res = venv.step(actions, active);
      envNanos += System.nanoTime() - ts;
      for (int i = 0; i < n; i++) {
        if (!active[i]) {
          continue;
        }
        // Checked here, where the environment's value enters maml4j, so that a NaN or a short
        // observation names its step instead of failing later in the baseline fit or a copy.
        Site site = sites[i].at(h + 1);
        StepResult r = EnvironmentChecks.result(site, res != null && res.length == n ? res[i] : null);
        EnvironmentChecks.reward(site, r.reward());
        obs[i] = r.observation();
        EnvironmentChecks.observation(site, obsSpace, obs[i]);
        System.arraycopy(actions[i], 0, actBuf, (i * horizon + h) * actDim, actDim);
        if (discrete) {
          actBuf[(i * horizon + h) * actDim] = actions[i][0];
        }
        rewBuf[i * horizon + h] = r.reward();
        lengths[i] = h + 1;
        if (r.terminated() || r.truncated() || h == horizon - 1) {
          active[i] = false;
          live--;
          // The task's horizon H ends a finite-horizon task (as in the references), whether or
          // not a remote TimeLimit also flags it; only an environment's own, earlier time limit
          // leaves value beyond the last state.
          truncated[i] = r.truncated() && !r.terminated() && h < horizon - 1;
          System.arraycopy(obs[i], 0, finalObs, i * obsDim, obsDim);
        }
      }
    }
  }
}
