package io.maml4j.contract;

import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.env.Environment;
import io.maml4j.env.EnvironmentChecks;
import io.maml4j.env.EnvironmentChecks.Site;
import io.maml4j.env.EnvironmentException;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.SupervisedTaskDistribution;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.env.VectorEnvironment;
import io.maml4j.gym.Kwargs;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Runs a task distribution's environments through the contract maml4j relies on, naming the first
 * violation in one line (an {@link EnvironmentException}):
 *
 * <ul>
 *   <li>every environment declares its distribution's spaces;
 *   <li>reset and step return observations of the declared size, finite and inside the bounds of
 *       the observation space; rewards are finite (supervised targets too); a step after an
 *       episode ended is refused with an exception;
 *   <li>the same task, reset seed and actions give the same episode (determinism);
 *   <li>every task parameter is used: changing one parameter alone changes the episode;
 *   <li>tasks survive the trip through Gym HTTP {@code kwargs}, so {@code maml4j serve} can offer
 *       the distribution;
 *   <li>{@link TaskDistribution#makeVector} steps like the single environments it stands for.
 * </ul>
 *
 * <p>Actions are drawn at random from the action space with a fixed seed, so a check is
 * reproducible. Each check returns one line saying what it checked.
 */
public final class EnvironmentContract {
  /**
   * How much to run.
   *
   * @param tasks tasks drawn from the distribution (at least 2, so that tasks can be compared)
   * @param episodes episodes run per task
   * @param seed seeds the tasks, the actions and the reset seeds
   */
  public record Options(int tasks, int episodes, long seed) {
    public Options {
      if (tasks < 2) {
        throw new IllegalArgumentException("tasks must be at least 2, got " + tasks);
      }
      if (episodes < 1) {
        throw new IllegalArgumentException("episodes must be at least 1, got " + episodes);
      }
    }

    /** Four tasks, three episodes each, seed 0. */
    public static Options defaults() {
      return new Options(4, 3, 0);
    }
  }

  /**
   * Episodes tried before a parameter is called ignored: one episode of a stochastic task (a
   * Bernoulli arm pulled once) often comes out the same for two parameter values, so a single
   * equal episode proves nothing; a used parameter shows within a few episodes, usually the first.
   */
  private static final int TRIES_FOR_A_DIFFERENCE = 64;

  private final TaskDistribution dist;
  private final Options options;
  private final String name;
  private final Space obsSpace;
  private final Space actSpace;
  private final int horizon;
  private final List<Task> tasks;

  /** Draws the tasks to check; nothing is run before a check method is called. */
  public EnvironmentContract(TaskDistribution distribution, Options options) {
    this.dist = Objects.requireNonNull(distribution, "distribution");
    this.options = Objects.requireNonNull(options, "options");
    this.name = distribution.name();
    this.obsSpace = distribution.observationSpace();
    this.actSpace = distribution.actionSpace();
    this.horizon = distribution.horizon();
    if (obsSpace == null || actSpace == null || horizon < 1) {
      throw new EnvironmentException("environment '" + name + "': the distribution declares observation space "
          + obsSpace + ", action space " + actSpace + " and horizon " + horizon
          + ", expected two spaces and a horizon of at least 1");
    }
    this.tasks = distribution.sample(options.tasks(), new SplittableRandom(options.seed()));
    if (tasks.size() != options.tasks() || tasks.contains(null)) {
      throw new EnvironmentException("environment '" + name + "': sample(" + options.tasks() + ", rng) returned "
          + tasks + ", expected " + options.tasks() + " tasks");
    }
  }

  /** Every check in turn; the lines say what each checked. */
  public List<String> checkAll() {
    return List.of(checkSpaces(), checkEpisodes(), checkDeterminism(), checkTasksMatter(), checkKwargs(),
        checkVector());
  }

  /** Each task's environment declares the distribution's observation and action spaces. */
  public String checkSpaces() {
    for (Task t : tasks) {
      try (Environment env = dist.make(t)) {
        EnvironmentChecks.spaces(name, t, obsSpace, actSpace, env.observationSpace(), env.actionSpace());
      }
    }
    return "spaces: " + tasks.size() + " environments declare " + EnvironmentChecks.describe(obsSpace) + " -> "
        + EnvironmentChecks.describe(actSpace);
  }

  /**
   * Observations (size, finite, within bounds), rewards and supervised targets over every episode,
   * and the refusal of a step after an episode ended.
   */
  public String checkEpisodes() {
    long steps = 0;
    int ended = 0;
    for (Task t : tasks) {
      for (int e = 0; e < options.episodes(); e++) {
        try (Environment env = dist.make(t)) {
          Rollout r = rollout(env, t, e, true);
          steps += r.length();
          if (r.ended()) {
            ended++;
            refuseStepAfterEnd(env, new Site(name, t, e, r.length() + 1), r);
          }
        }
      }
    }
    return "episodes: " + steps + " steps in " + tasks.size() * options.episodes() + " episodes: observations of "
        + obsSpace.flatSize() + " finite numbers within bounds, finite rewards"
        + (dist instanceof SupervisedTaskDistribution ? " and targets" : "") + "; "
        + (ended == 0 ? "the environment ended no episode itself (the horizon of " + horizon
            + " cut them all), so a step after the end was not tried"
            : ended + " episodes ended by the environment, and a further step was refused each time");
  }

  /** The same task, reset seed and actions give the same episode, in a fresh environment and after a reset. */
  public String checkDeterminism() {
    for (Task t : tasks) {
      try (Environment a = dist.make(t); Environment b = dist.make(t)) {
        Rollout first = rollout(a, t, 0, false);
        same(first, rollout(b, t, 0, false), t, "two environments of the same task");
        same(first, rollout(a, t, 0, false), t, "the same environment reset again");
      }
    }
    return "determinism: for " + tasks.size() + " tasks, the same reset seed and actions gave the same episode in a"
        + " fresh environment and after a second reset";
  }

  /**
   * Every task parameter changes the episode: for each parameter, a task that differs from another
   * in that parameter alone must give a different episode for the same seed and actions.
   */
  public String checkTasksMatter() {
    List<String> checked = new ArrayList<>();
    List<String> constant = new ArrayList<>();
    for (String key : tasks.get(0).params().keySet()) {
      Task base = null;
      Task other = null;
      for (int i = 0; i < tasks.size() && other == null; i++) {
        for (int j = 0; j < tasks.size() && other == null; j++) {
          Object vi = tasks.get(i).params().get(key);
          Object vj = tasks.get(j).params().get(key);
          if (vj != null && !vj.equals(vi)) {
            base = tasks.get(i);
            other = tasks.get(j);
          }
        }
      }
      if (other == null) {
        constant.add(key);
        continue;
      }
      Map<String, Object> changed = new LinkedHashMap<>(base.params());
      changed.put(key, other.params().get(key));
      Task variant = new Task(changed);
      boolean differs = false;
      int tries = Math.max(options.episodes(), TRIES_FOR_A_DIFFERENCE);
      for (int e = 0; e < tries && !differs; e++) {
        try (Environment a = dist.make(base); Environment b = dist.make(variant)) {
          differs = !rollout(a, base, e, false).sameAs(rollout(b, variant, e, false));
        }
      }
      if (!differs) {
        throw new EnvironmentException("environment '" + name + "': task parameter '" + key + "' is ignored: tasks "
            + base.params() + " and " + variant.params() + " differ only in '" + key + "' and gave the same "
            + tries + " episodes for the same reset seeds and actions, expected different rewards or"
            + " observations");
      }
      checked.add(key);
    }
    return "tasks: " + (checked.isEmpty() ? "no parameter varied between tasks" : "changing " + String.join(", ", checked)
        + " alone changes the episode") + (constant.isEmpty() ? "" : "; " + String.join(", ", constant)
        + " took one value in " + tasks.size() + " tasks, not checked");
  }

  /**
   * Each task lies in the distribution's declared {@link TaskDistribution#paramRanges} (which a
   * server checks kwargs against), and, sent as Gym HTTP kwargs and read back, makes an
   * environment that gives the same episode.
   */
  public String checkKwargs() {
    Map<String, TaskDistribution.ParamRange> ranges = dist.paramRanges();
    for (Task t : tasks) {
      for (Map.Entry<String, TaskDistribution.ParamRange> r : ranges.entrySet()) {
        Object v = t.params().get(r.getKey());
        if (v != null && !r.getValue().admits(v)) {
          throw new EnvironmentException("environment '" + name + "', task " + t.params() + ": parameter '"
              + r.getKey() + "' is " + v + ", outside the declared range: expected " + r.getValue().expected());
        }
      }
      Task back;
      try {
        back = Kwargs.fromJson(Kwargs.toJson(t));
      } catch (RuntimeException ex) {
        throw new EnvironmentException("environment '" + name + "', task " + t.params()
            + ": the task does not survive Gym HTTP kwargs: " + ex.getMessage());
      }
      try (Environment a = dist.make(t); Environment b = dist.make(back)) {
        same(rollout(a, t, 0, false), rollout(b, back, 0, false), t,
            "the task and the task read back from Gym HTTP kwargs " + Kwargs.toJson(t));
      }
    }
    return "kwargs: " + tasks.size() + " tasks" + (ranges.isEmpty() ? "" : " lie in the declared parameter ranges"
        + " (" + String.join(", ", new java.util.TreeSet<>(ranges.keySet())) + "), and") + " read back from Gym HTTP kwargs"
        + " give the same episodes";
  }

  /** {@link TaskDistribution#makeVector} steps every instance as its own environment would. */
  public String checkVector() {
    int per = options.episodes();
    List<Task> perEnv = new ArrayList<>();
    for (Task t : tasks) {
      for (int e = 0; e < per; e++) {
        perEnv.add(t);
      }
    }
    int n = perEnv.size();
    long[] seeds = new long[n];
    List<double[][]> actions = new ArrayList<>(n);
    List<Rollout> single = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      seeds[i] = resetSeed(i % per);
      actions.add(actions(i % per));
      try (Environment env = dist.make(perEnv.get(i))) {
        single.add(rollout(env, perEnv.get(i), i % per, false));
      }
    }
    List<List<double[]>> obs = new ArrayList<>(n);
    List<double[]> rewards = new ArrayList<>(n);
    boolean[] active = new boolean[n];
    boolean[] terminated = new boolean[n];
    boolean[] truncated = new boolean[n];
    try (VectorEnvironment venv = dist.makeVector(perEnv)) {
      if (venv.size() != n) {
        throw new EnvironmentException("environment '" + name + "': makeVector of " + n + " tasks has size "
            + venv.size() + ", expected " + n);
      }
      EnvironmentChecks.spaces(name, perEnv.get(0), obsSpace, actSpace, venv.observationSpace(), venv.actionSpace());
      double[][] first = venv.reset(seeds);
      for (int i = 0; i < n; i++) {
        obs.add(new ArrayList<>(List.of(first[i].clone())));
        rewards.add(new double[horizon]);
        active[i] = true;
      }
      double[][] step = new double[n][];
      int live = n;
      for (int h = 0; h < horizon && live > 0; h++) {
        for (int i = 0; i < n; i++) {
          step[i] = actions.get(i)[h];
        }
        StepResult[] res = venv.step(step, active.clone());
        for (int i = 0; i < n; i++) {
          if (!active[i]) {
            continue;
          }
          StepResult r = EnvironmentChecks.result(new Site(name, perEnv.get(i), i % per, h + 1), res[i]);
          obs.get(i).add(r.observation());
          rewards.get(i)[h] = r.reward();
          if (r.done()) {
            active[i] = false;
            terminated[i] = r.terminated();
            truncated[i] = r.truncated();
            live--;
          }
        }
      }
    }
    for (int i = 0; i < n; i++) {
      Rollout s = single.get(i);
      Rollout v = new Rollout(obs.get(i), Arrays.copyOf(rewards.get(i), obs.get(i).size() - 1), terminated[i],
          truncated[i]);
      same(s, v, perEnv.get(i), "makeVector (instance " + i + ") and a single environment");
    }
    boolean overridden;
    try {
      overridden = dist.getClass().getMethod("makeVector", List.class).getDeclaringClass() != TaskDistribution.class;
    } catch (NoSuchMethodException e) {
      throw new IllegalStateException(e);
    }
    return "vector: " + (overridden ? "the distribution's own makeVector" : "the default makeVector") + " stepped " + n
        + " instances as their single environments do";
  }

  /** One episode's record: observations from reset on, and the rewards and end flags of its steps. */
  private record Rollout(List<double[]> observations, double[] rewards, boolean terminated, boolean truncated) {
    int length() {
      return rewards.length;
    }

    boolean ended() {
      return terminated || truncated;
    }

    boolean sameAs(Rollout o) {
      return firstDifference(o) == null;
    }

    /** Where two episodes first differ, in words, or null. */
    String firstDifference(Rollout o) {
      int n = Math.min(observations.size(), o.observations.size());
      for (int t = 0; t < n; t++) {
        if (!Arrays.equals(observations.get(t), o.observations.get(t))) {
          return (t == 0 ? "at reset" : "at step " + t) + " (observation " + Arrays.toString(observations.get(t))
              + " vs " + Arrays.toString(o.observations.get(t)) + ")";
        }
        if (t < Math.min(rewards.length, o.rewards.length) && Double.compare(rewards[t], o.rewards[t]) != 0) {
          return "at step " + (t + 1) + " (reward " + rewards[t] + " vs " + o.rewards[t] + ")";
        }
      }
      if (rewards.length != o.rewards.length || terminated != o.terminated || truncated != o.truncated) {
        return "in how they end (" + rewards.length + " steps, terminated " + terminated + ", truncated " + truncated
            + " vs " + o.rewards.length + " steps, terminated " + o.terminated + ", truncated " + o.truncated + ")";
      }
      return null;
    }
  }

  private void same(Rollout a, Rollout b, Task t, String what) {
    String diff = a.firstDifference(b);
    if (diff != null) {
      throw new EnvironmentException("environment '" + name + "', task " + t.params() + ": " + what
          + " differ " + diff + " for the same reset seed and actions, expected the same episode");
    }
  }

  private long resetSeed(int episode) {
    return options.seed() * 1_000_003L + 17 + episode;
  }

  /** The episode's actions, one per step up to the horizon, drawn from the action space. */
  private double[][] actions(int episode) {
    SplittableRandom rng = new SplittableRandom(options.seed() * 7_919L + 101 + episode);
    double[][] out = new double[horizon][];
    for (int h = 0; h < horizon; h++) {
      out[h] = randomAction(rng);
    }
    return out;
  }

  private double[] randomAction(SplittableRandom rng) {
    if (actSpace instanceof Discrete d) {
      return new double[] {rng.nextInt(d.n())};
    }
    Box b = (Box) actSpace;
    double[] lo = b.low();
    double[] hi = b.high();
    double[] a = new double[lo.length];
    for (int i = 0; i < a.length; i++) {
      boolean bounded = Double.isFinite(lo[i]) && Double.isFinite(hi[i]);
      double x = bounded ? lo[i] + (hi[i] - lo[i]) * rng.nextDouble() : gaussian(rng);
      a[i] = Math.max(lo[i], Math.min(hi[i], x));
    }
    return a;
  }

  private static double gaussian(SplittableRandom rng) {
    // Box-Muller: SplittableRandom has no nextGaussian on Java 17.
    double u = 1.0 - rng.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.nextDouble());
  }

  /**
   * Runs one episode with the episode's reset seed and actions until it ends or reaches the
   * horizon; with {@code full}, also checks bounds and supervised targets.
   */
  private Rollout rollout(Environment env, Task task, int episode, boolean full) {
    Site site = new Site(name, task, episode, 0);
    double[][] acts = actions(episode);
    double[] obs = env.reset(resetSeed(episode));
    check(site, obs, full);
    if (full && dist instanceof SupervisedTaskDistribution s) {
      EnvironmentChecks.target(site, actSpace, s.target(task, obs));
    }
    List<double[]> observations = new ArrayList<>();
    observations.add(obs.clone());
    double[] rewards = new double[horizon];
    for (int h = 0; h < horizon; h++) {
      Site at = site.at(h + 1);
      StepResult r = EnvironmentChecks.result(at, env.step(acts[h].clone()));
      EnvironmentChecks.reward(at, r.reward());
      double[] o = r.observation();
      check(at, o, full);
      observations.add(o);
      rewards[h] = r.reward();
      if (r.done()) {
        return new Rollout(observations, Arrays.copyOf(rewards, h + 1), r.terminated(), r.truncated());
      }
    }
    return new Rollout(observations, rewards, false, false);
  }

  private void check(Site site, double[] obs, boolean bounds) {
    EnvironmentChecks.observation(site, obsSpace, obs);
    if (bounds && !obsSpace.contains(obs)) {
      throw new EnvironmentException(site + ": observation " + Arrays.toString(obs) + " is outside "
          + EnvironmentChecks.describe(obsSpace));
    }
  }

  private void refuseStepAfterEnd(Environment env, Site site, Rollout r) {
    try {
      env.step(randomAction(new SplittableRandom(options.seed())));
    } catch (RuntimeException refused) {
      return;
    }
    throw new EnvironmentException(site + ": a step after the episode ended at step " + r.length() + " ("
        + (r.terminated() ? "terminated" : "truncated") + ") was accepted, expected it refused with an exception");
  }
}
