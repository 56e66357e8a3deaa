package io.maml4j.cluster;

import com.google.gson.JsonParser;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.meta.TaskReply;
import io.maml4j.meta.TaskRequest;
import io.maml4j.meta.TaskWork;
import io.maml4j.policy.Params;
import io.maml4j.train.Run;
import io.maml4j.train.RunConfig;
import io.maml4j.work.LocalExecutor;
import io.maml4j.work.TaskExecutor;
import io.maml4j.work.UnitFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * A cluster member that serves the units of drivers' runs until it is closed; it owns a
 * Hazelcast member and, per open group of tasks, a {@link LocalExecutor}'s threads.
 *
 * <p>Hazelcast runs jobs on pool threads that change from job to job, but a unit's arrays belong
 * to the thread that made them; so a group's units live on the group's own threads for the whole
 * meta-iteration, and the pool thread only hands them the request and waits.
 */
public final class Worker implements AutoCloseable {
  static final String CONTEXT_KEY = "maml4j.worker";
  private final HazelcastInstance hz;
  private final State state;
  private final CountDownLatch down = new CountDownLatch(1);

  /** A worker of this build's version. */
  public Worker(ClusterSettings settings, int threads, Consumer<String> log) {
    this(settings, threads, RunConfig.VERSION, log);
  }

  /**
   * @param version the maml4j version this worker claims (another build's, in tests)
   * @param log receives one line per event: joined, serving a run, lost a driver
   */
  public Worker(ClusterSettings settings, int threads, String version, Consumer<String> log) {
    if (threads < 1) {
      throw new IllegalArgumentException("--threads must be at least 1, got " + threads);
    }
    state = new State(settings.jobProof(), threads, version, log);
    Config c = settings.hazelcast(false);
    c.getUserContext().put(CONTEXT_KEY, state);
    hz = Hazelcast.newHazelcastInstance(c);
    hz.getLifecycleService().addLifecycleListener(e -> {
      if (e.getState() == LifecycleEvent.LifecycleState.SHUTDOWN) {
        state.closeAll();
        down.countDown();
      }
    });
    hz.getCluster().addMembershipListener(new MembershipListener() {
      @Override
      public void memberAdded(MembershipEvent e) {}

      @Override
      public void memberRemoved(MembershipEvent e) {
        // A driver that left without finishing its run leaves nothing behind here.
        state.driverLeft(e.getMember().getUuid().toString(), e.getMember().getAddress().toString());
      }
    });
    log.accept("maml4j worker: joined cluster '" + settings.name() + "' as " + address() + " (" + threads
        + " threads, maml4j " + version + ", " + hz.getCluster().getMembers().size() + " members)");
  }

  /** The address other members reach this one at. */
  public String address() {
    var a = hz.getCluster().getLocalMember().getAddress();
    return a.getHost() + ":" + a.getPort();
  }

  State state() {
    return state;
  }

  /** How many members (workers and drivers) the cluster this worker is in has. */
  public int clusterSize() {
    return hz.getCluster().getMembers().size();
  }

  /** Blocks until the member has shut down (Ctrl-C, or {@link #close()} from another thread). */
  public void awaitShutdown() throws InterruptedException {
    down.await();
  }

  /** Leaves the cluster gracefully and frees every unit it holds. */
  @Override
  public void close() {
    hz.shutdown();
    state.closeAll();
  }

  /** What the jobs of a worker act on: its runs and their open groups. Thread-safe. */
  static final class State {
    private final String proof;
    private final int threads;
    private final String version;
    private final Consumer<String> log;
    private final Map<String, Served> runs = new ConcurrentHashMap<>();
    private final Map<String, Group> groups = new ConcurrentHashMap<>();
    /** Run before every round's work, on the job's thread: tests make a member slow with it. */
    volatile Runnable beforeRound;

    State(String proof, int threads, String version, Consumer<String> log) {
      this.proof = proof;
      this.threads = threads;
      this.version = version;
      this.log = log;
    }

    void checkProof(String p) {
      if (!Secrets.same(proof, p)) {
        throw new SecurityException("job refused: it does not carry this cluster's secret");
      }
    }

    Jobs.Hello prepare(Jobs.Prepare p) {
      if (!version.equals(p.driverVersion)) {
        return new Jobs.Hello(version, 0, threads, "runs maml4j " + version + ", the driver maml4j " + p.driverVersion);
      }
      Run run;
      try {
        RunConfig config = RunConfig.parse(new Fields("the driver's config.json",
            JsonParser.parseString(p.configJson).getAsJsonObject()));
        run = Run.of(config, "the driver's config.json");
      } catch (ConfigException | IllegalArgumentException e) {
        return new Jobs.Hello(version, 0, threads, "cannot build the driver's run: " + e.getMessage());
      }
      UnitFactory units;
      if (p.evaluation == null) {
        units = run.trainer(run.metaLearner()).units();
        log.accept("maml4j worker: serving run " + p.run + " (" + run.distribution().name() + ", "
            + run.train().metaBatchSize() + " tasks per iteration)");
      } else {
        units = evaluationUnits(run, p.evaluation);
        log.accept("maml4j worker: serving evaluation " + p.run + " (" + run.distribution().name() + ", "
            + p.evaluation.tasks() + " held-out tasks)");
      }
      runs.put(p.run, new Served(units, p.driver));
      return new Jobs.Hello(version, Fingerprint.of(run), threads, null);
    }

    /** The driver's evaluation (maml4j evaluate): the RL protocol on the run's environment and policy. */
    private static UnitFactory evaluationUnits(Run run, io.maml4j.eval.EvalConfig cfg) {
      org.nd4j.linalg.api.buffer.DataType type = run.train().dataType();
      io.maml4j.eval.Evaluator evaluator = new io.maml4j.eval.Evaluator(run.distribution(), cfg, type);
      // Only the names, shapes and type of the template matter; θ arrives with the request.
      Params template = run.policy().init(new java.util.SplittableRandom(0), type);
      return new io.maml4j.eval.EvaluationUnits(evaluator, run.policy(), template);
    }

    TaskReply[] round(Jobs.Round r) {
      Served s = runs.get(r.run);
      if (s == null) {
        throw new IllegalStateException("run " + r.run + " is not served here (never prepared, or finished)");
      }
      if (s.finished.contains(r.iteration)) {
        // A round that was too slow and whose tasks were taken over: open nothing for it.
        throw new IllegalStateException("iteration " + r.iteration + " of run " + r.run + " is finished");
      }
      Runnable hook = beforeRound;
      if (hook != null) {
        hook.run();
      }
      String key = r.run + "/" + r.iteration + "/" + r.group;
      Group g = groups.computeIfAbsent(key, k -> new Group(s.units, r.iteration, r.tasks, threads));
      return g.answer(r.from, r.requests);
    }

    void finish(String run, int iteration) {
      Served served = runs.get(run);
      if (served != null && iteration >= 0) {
        served.finished.add(iteration);
      }
      String prefix = iteration < 0 ? run + "/" : run + "/" + iteration + "/";
      List<Group> closing = new ArrayList<>();
      for (String k : groups.keySet()) {
        if (k.startsWith(prefix)) {
          Group g = groups.remove(k);
          if (g != null) {
            closing.add(g);
          }
        }
      }
      for (Group g : closing) {
        g.close();
      }
      if (iteration < 0) {
        runs.remove(run);
      }
    }

    void driverLeft(String uuid, String address) {
      for (Map.Entry<String, Served> e : runs.entrySet()) {
        if (e.getValue().driver.equals(uuid)) {
          log.accept("maml4j worker: driver " + address + " left; dropping run " + e.getKey());
          finish(e.getKey(), -1);
        }
      }
    }

    void closeAll() {
      for (String run : List.copyOf(runs.keySet())) {
        finish(run, -1);
      }
    }
  }

  private record Served(UnitFactory units, String driver, java.util.Set<Integer> finished) {
    Served(UnitFactory units, String driver) {
      this(units, driver, ConcurrentHashMap.newKeySet());
    }
  }

  /**
   * The units of some tasks of one iteration on threads of their own: a {@link LocalExecutor}
   * over the group's tasks, renumbered 0 .. k-1 for it and back.
   */
  private static final class Group {
    private final LocalExecutor executor;
    private final TaskExecutor.Iteration iteration;
    private int answered;
    private List<TaskReply> last = List.of();
    private boolean closed;

    Group(UnitFactory units, int iteration, int[] tasks, int threads) {
      int[] global = tasks.clone();
      UnitFactory subset = new UnitFactory() {
        @Override
        public TaskWork open(int it, int local) {
          return units.open(it, global[local]);
        }

        @Override
        public List<TaskWork> open(int it, int[] locals) {
          int[] g = new int[locals.length];
          for (int i = 0; i < locals.length; i++) {
            g[i] = global[locals[i]];
          }
          return units.open(it, g);
        }
      };
      this.executor = new LocalExecutor(subset, Math.min(threads, global.length));
      try {
        this.iteration = executor.begin(iteration, global.length);
      } catch (RuntimeException | Error e) {
        executor.close();
        throw e;
      }
    }

    synchronized TaskReply[] answer(int from, List<TaskRequest> requests) {
      if (closed) {
        throw new IllegalStateException("this group's iteration is finished");
      }
      if (from > answered || from + requests.size() < answered) {
        throw new IllegalStateException("requests from " + from + " (" + requests.size() + " of them) do not follow the "
            + answered + " answered");
      }
      for (int i = answered - from; i < requests.size(); i++) {
        last = iteration.send(requests.get(i));
        answered++;
      }
      return last.toArray(new TaskReply[0]);
    }

    synchronized void close() {
      if (!closed) {
        closed = true;
        try {
          iteration.close();
        } finally {
          executor.close();
        }
      }
    }
  }
}
