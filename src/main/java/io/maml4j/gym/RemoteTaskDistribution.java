package io.maml4j.gym;

import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.Task;
import io.maml4j.env.TaskDistribution;
import io.maml4j.env.VectorEnvironment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A task distribution whose environments live on a Gym HTTP server. Tasks are sampled here, in
 * process, exactly as a local distribution would sample them, and reach the server as the
 * creation {@code kwargs} of each instance (the Gymnasium fork's and {@link GymHttpServer}'s
 * create argument); so meta-training through a server sees the same tasks, and, given a server
 * that computes the same dynamics, the same episodes as in process.
 *
 * <p>{@link #makeVector} steps a meta-batch's instances through the batched extension when the
 * server offers it (see {@link BatchMode}), else one round trip per instance and step. The spaces
 * are read from the (first) server on first use, from a probe instance that is closed at once.
 *
 * <p>With several servers, instance {@code j} of a vector environment lives on server {@code j mod
 * S}; each server gets one (batched) call per reset and step for all of its instances, and the S
 * calls go out concurrently. The placement is a fixed function of the index and each instance is
 * reset with its own seed, so the numbers are those of one server. Single environments from
 * {@link #make} go to the servers in turn.
 *
 * <p>Built from an environment spec with {@code "env": "gym-http"} (see {@link GymHttp}).
 */
public final class RemoteTaskDistribution implements TaskDistribution {
  /** Draws one task; {@link TaskDistribution#sample(SplittableRandom)} of a local distribution fits. */
  @FunctionalInterface
  public interface TaskSampler {
    Task sample(SplittableRandom rng);

    /** Always the task with no parameters: no kwargs are sent, the server uses its default. */
    static TaskSampler none() {
      return rng -> new Task(Map.of());
    }
  }

  /** Whether {@link #makeVector} uses the batched extension. */
  public enum BatchMode {
    /** Batched when the server offers it, plain otherwise. */
    AUTO,
    /** Batched, failing if the server does not offer it. */
    ALWAYS,
    /** Plain routes only. */
    NEVER
  }

  private final List<GymHttpClient> clients;
  private final AtomicInteger nextSingle = new AtomicInteger();
  private final String envId;
  private final int horizon;
  private final Integer maxEpisodeSteps;
  private final TaskSampler tasks;
  private final BatchMode batch;
  private final TaskDistribution expected;
  private volatile Space[] spaces;

  /**
   * @param envId the server's name of the environment
   * @param horizon H: the sampler cuts episodes after this many steps
   * @param maxEpisodeSteps sent at create (servers that take it cut episodes there, as truncated);
   *     null sends nothing
   * @param tasks draws the task whose parameters become each instance's kwargs
   */
  public RemoteTaskDistribution(GymHttpClient client, String envId, int horizon, Integer maxEpisodeSteps,
      TaskSampler tasks, BatchMode batch) {
    this(client, envId, horizon, maxEpisodeSteps, tasks, batch, null);
  }

  /**
   * As below, on one server.
   */
  public RemoteTaskDistribution(GymHttpClient client, String envId, int horizon, Integer maxEpisodeSteps,
      TaskSampler tasks, BatchMode batch, TaskDistribution expected) {
    this(List.of(Objects.requireNonNull(client, "client")), envId, horizon, maxEpisodeSteps, tasks, batch, expected);
  }

  /**
   * Over one or more servers that all serve {@code envId} with the same dynamics, with the local
   * distribution the tasks come from ({@code expected}, may be null): the served spaces must
   * equal its, or the first use fails with one line saying both, rather than training a policy of
   * the wrong shape or clipping actions to the wrong bounds.
   */
  public RemoteTaskDistribution(List<GymHttpClient> clients, String envId, int horizon, Integer maxEpisodeSteps,
      TaskSampler tasks, BatchMode batch, TaskDistribution expected) {
    this.expected = expected;
    if (horizon <= 0) {
      throw new IllegalArgumentException("horizon must be greater than 0, got " + horizon);
    }
    if (maxEpisodeSteps != null && maxEpisodeSteps <= 0) {
      throw new IllegalArgumentException("max_episode_steps must be greater than 0, got " + maxEpisodeSteps);
    }
    this.clients = List.copyOf(clients);
    if (this.clients.isEmpty()) {
      throw new IllegalArgumentException("a remote distribution needs at least one server");
    }
    this.envId = Objects.requireNonNull(envId, "envId");
    this.horizon = horizon;
    this.maxEpisodeSteps = maxEpisodeSteps;
    this.tasks = Objects.requireNonNull(tasks, "tasks");
    this.batch = Objects.requireNonNull(batch, "batch");
  }

  @Override
  public String name() {
    return GymHttp.ENV_NAME;
  }

  /** The server's name of the environment. */
  public String envId() {
    return envId;
  }

  /** The client of the first server (the only one, unless several were given). */
  public GymHttpClient client() {
    return clients.get(0);
  }

  /** The clients of all servers, in the spec's order: instance {@code j} of a vector goes to {@code j mod size}. */
  public List<GymHttpClient> clients() {
    return clients;
  }

  @Override
  public Task sample(SplittableRandom rng) {
    return tasks.sample(rng);
  }

  /** The create arguments for a task: its parameters as kwargs (none if it has none), and the time limit. */
  GymHttpClient.CreateOptions options(Task task) {
    return new GymHttpClient.CreateOptions(null, maxEpisodeSteps, task.params().isEmpty() ? null : task);
  }

  @Override
  public Environment make(Task task) {
    Space[] s = spaces();
    GymHttpClient client = clients.get(Math.floorMod(nextSingle.getAndIncrement(), clients.size()));
    return RemoteEnvironment.create(client, envId, options(task), s[0], s[1]);
  }

  @Override
  public VectorEnvironment makeVector(List<Task> taskList) {
    if (taskList.isEmpty()) {
      throw new IllegalArgumentException("a vector environment needs at least one task");
    }
    List<GymHttpClient.CreateOptions> options = new ArrayList<>(taskList.size());
    for (Task t : taskList) {
      options.add(options(t));
    }
    int servers = clients.size();
    if (servers == 1) {
      return openOn(clients.get(0), options);
    }
    return SpreadVectorEnvironment.open(servers, options.size(), s -> {
      List<GymHttpClient.CreateOptions> mine = new ArrayList<>();
      for (int j = s; j < options.size(); j += servers) {
        mine.add(options.get(j));
      }
      return openOn(clients.get(s), mine);
    });
  }

  /** One server's instances, in one batched create if it can; its spaces checked. */
  private VectorEnvironment openOn(GymHttpClient client, List<GymHttpClient.CreateOptions> options) {
    if (batch == BatchMode.ALWAYS && !client.supportsBatch()) {
      throw new IllegalStateException("the server at " + client.baseUrl()
          + " does not offer the batched extension (/v1/batch/), but the spec asks for \"batch\": \"always\"");
    }
    VectorEnvironment v = RemoteVectorEnvironment.open(client, envId, options, batch != BatchMode.NEVER);
    try {
      checkSpaces(client, v.observationSpace(), v.actionSpace());
      if (clients.size() > 1) {
        // Servers must agree with each other too, not only with the local tasks' environment.
        Space[] first = spaces();
        if (!first[0].equals(v.observationSpace()) || !first[1].equals(v.actionSpace())) {
          throw new IllegalArgumentException("gym-http server " + client.baseUrl() + " env_id " + envId
              + " serves observation space " + describe(v.observationSpace(), first[0]) + " and action space "
              + describe(v.actionSpace(), first[1]) + ", but " + clients.get(0).baseUrl() + " serves "
              + describe(first[0], v.observationSpace()) + " and " + describe(first[1], v.actionSpace()));
        }
      }
    } catch (RuntimeException e) {
      v.close();
      throw e;
    }
    return v;
  }

  /** Refuses served spaces that differ from the local distribution's, naming the server, env id and both. */
  private void checkSpaces(GymHttpClient client, Space observation, Space action) {
    if (expected == null) {
      return;
    }
    Space wantObs = expected.observationSpace();
    Space wantAct = expected.actionSpace();
    if (!wantObs.equals(observation) || !wantAct.equals(action)) {
      throw new IllegalArgumentException("gym-http server " + client.baseUrl() + " env_id " + envId
          + " serves observation space " + describe(observation, wantObs) + " and action space "
          + describe(action, wantAct) + ", but the local tasks' environment " + expected.name()
          + " has observation space " + describe(wantObs, observation) + " and action space "
          + describe(wantAct, action));
    }
  }

  /** A space in a message, with its bounds when its shape alone would not tell it from {@code other}. */
  static String describe(Space s, Space other) {
    String text = s.toString();
    if (s instanceof io.maml4j.env.Box b && text.equals(other.toString()) && !s.equals(other)) {
      String bounds = " low " + java.util.Arrays.toString(b.low()) + " high " + java.util.Arrays.toString(b.high());
      text += bounds.length() <= 200 ? bounds : " (other bounds)";
    }
    return text;
  }

  @Override
  public Space observationSpace() {
    return spaces()[0];
  }

  @Override
  public Space actionSpace() {
    return spaces()[1];
  }

  private Space[] spaces() {
    Space[] s = spaces;
    if (s == null) {
      synchronized (this) {
        s = spaces;
        if (s == null) {
          // A task from a private stream: probing must not disturb the caller's randomness.
          try (RemoteEnvironment probe = RemoteEnvironment.create(clients.get(0), envId,
              options(tasks.sample(new SplittableRandom(0))))) {
            s = new Space[] {probe.observationSpace(), probe.actionSpace()};
          }
          checkSpaces(clients.get(0), s[0], s[1]);
          spaces = s;
        }
      }
    }
    return s;
  }

  @Override
  public int horizon() {
    return horizon;
  }
}
