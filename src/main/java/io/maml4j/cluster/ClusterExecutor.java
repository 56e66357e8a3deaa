package io.maml4j.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.MemberLeftException;
import com.hazelcast.spi.exception.TargetNotMemberException;
import io.maml4j.config.ConfigException;
import io.maml4j.meta.TaskReply;
import io.maml4j.meta.TaskRequest;
import io.maml4j.train.Run;
import io.maml4j.train.RunConfig;
import io.maml4j.work.TaskExecutor;
import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs a run's units on the workers of a cluster: one job per member per round, each carrying
 * the request for all of the member's tasks of the iteration; the replies come back in task
 * order whichever member answered them.
 *
 * <p>Task i of an iteration goes to worker i mod m of the m workers present at its start (in
 * member-id order); a worker that joins later gets tasks from the next iteration. A worker that
 * leaves, or does not answer a round within the timeout, loses its tasks for the iteration: they
 * are re-opened on the remaining workers, which replay the iteration's requests so far (the
 * units are pure functions of their inputs, so the numbers do not change). With none left the
 * run stops with a {@link ClusterException}.
 *
 * <p>Not thread-safe: one meta-step drives it. Closing it ends the run on the workers.
 */
final class ClusterExecutor implements TaskExecutor {
  private final ClusterDriver driver;
  private final String runKey;
  private final String configJson;
  private final long fingerprint;
  private final String proof;
  private final io.maml4j.eval.EvalConfig evaluation;
  private final Map<UUID, Integer> prepared = new LinkedHashMap<>();
  private final Set<UUID> refused = new HashSet<>();
  private boolean started;
  private int nextGroup;

  ClusterExecutor(ClusterDriver driver, Run run) {
    this(driver, run, null);
  }

  /** With {@code evaluation} set, the units are those of evaluating the run's policy on held-out tasks. */
  ClusterExecutor(ClusterDriver driver, Run run, io.maml4j.eval.EvalConfig evaluation) {
    this.evaluation = evaluation;
    this.driver = driver;
    this.runKey = driver.id() + "/" + UUID.randomUUID().toString().substring(0, 8);
    this.configJson = run.config().toJson().toString();
    this.fingerprint = Fingerprint.of(run);
    this.proof = driver.settings().jobProof();
  }

  @Override
  public int parallelism() {
    int n = 0;
    for (Member m : driver.workers()) {
      n += prepared.getOrDefault(m.getUuid(), 0);
    }
    return Math.max(1, n);
  }

  @Override
  public Iteration begin(int iteration, int tasks) {
    if (tasks < 1) {
      throw new IllegalArgumentException("need at least one task, got " + tasks);
    }
    List<Member> workers = prepareWorkers();
    if (workers.isEmpty()) {
      throw new ClusterException("cluster '" + driver.settings().name() + "': no maml4j worker to run iteration "
          + iteration + " (start one with: maml4j worker --join ...); the last checkpoint is kept, continue with"
          + " train --resume --out RUN");
    }
    started = true;
    List<Group> groups = new ArrayList<>();
    int m = workers.size();
    for (int j = 0; j < Math.min(m, tasks); j++) {
      int[] mine = java.util.stream.IntStream.iterate(j, i -> i < tasks, i -> i + m).toArray();
      groups.add(new Group(workers.get(j), nextGroup++, mine));
    }
    return new ClusterIteration(iteration, tasks, groups);
  }

  /** The workers present now that serve this run, after asking the new ones to. */
  private List<Member> prepareWorkers() {
    List<Member> present = driver.workers();
    Map<Member, Future<Jobs.Hello>> asked = new LinkedHashMap<>();
    for (Member m : present) {
      if (!prepared.containsKey(m.getUuid()) && !refused.contains(m.getUuid())) {
        asked.put(m, submit(new Jobs.Prepare(proof, runKey, configJson, driver.id(), RunConfig.VERSION, evaluation), m));
      }
    }
    for (Map.Entry<Member, Future<Jobs.Hello>> e : asked.entrySet()) {
      Member m = e.getKey();
      Jobs.Hello h;
      try {
        h = e.getValue().get(driver.settings().roundTimeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException ex) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while preparing the cluster's workers", ex);
      } catch (ExecutionException | TimeoutException ex) {
        if (ex instanceof ExecutionException ee && !lost(ee.getCause(), m)) {
          throw rethrow(ee.getCause());
        }
        continue;
      }
      String problem = h.problem() != null ? h.problem()
          : h.fingerprint() != fingerprint ? "builds other spaces or initial parameters from the run's env and policy"
              + " specs than the driver (maml4j " + h.version() + " there, " + RunConfig.VERSION + " here)"
          : null;
      if (problem == null) {
        prepared.put(m.getUuid(), h.threads());
      } else if (!started) {
        throw new ConfigException("cluster member " + address(m) + " refused: it " + problem
            + "; every worker needs the driver's build, env spec and policy spec");
      } else {
        refused.add(m.getUuid());
        System.err.println("maml4j: warning: cluster member " + address(m) + " joined but is not used: it " + problem);
      }
    }
    List<Member> out = new ArrayList<>();
    for (Member m : driver.workers()) {
      if (prepared.containsKey(m.getUuid())) {
        out.add(m);
      }
    }
    return out;
  }

  /** Submits {@code job} to {@code m}; a member that is already gone gives a failed future, as one lost later does. */
  private <T extends java.io.Serializable> Future<T> submit(Jobs.Job<T> job, Member m) {
    try {
      return driver.executorService().submitToMember(job, m);
    } catch (RuntimeException e) {
      return java.util.concurrent.CompletableFuture.failedFuture(e);
    }
  }

  /** Whether a failed job's cause means its member is gone rather than that the work failed. */
  private boolean lost(Throwable cause, Member m) {
    return cause instanceof MemberLeftException || cause instanceof TargetNotMemberException
        || cause instanceof HazelcastInstanceNotActiveException || !driver.workers().contains(m);
  }

  private static RuntimeException rethrow(Throwable c) {
    if (c instanceof RuntimeException r) {
      return r;
    }
    if (c instanceof Error e) {
      throw e;
    }
    return new IllegalStateException(c);
  }

  private static String address(Member m) {
    return m.getAddress().getHost() + ":" + m.getAddress().getPort();
  }

  @Override
  public void close() {
    List<Future<Boolean>> fs = new ArrayList<>();
    for (Member m : driver.workers()) {
      if (prepared.containsKey(m.getUuid())) {
        fs.add(submit(new Jobs.Finish(proof, runKey, -1), m));
      }
    }
    awaitQuietly(fs);
  }

  private static void awaitQuietly(List<Future<Boolean>> fs) {
    for (Future<Boolean> f : fs) {
      try {
        f.get(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (ExecutionException | TimeoutException e) {
        // A member that is gone has nothing left to free.
      }
    }
  }

  /** Some tasks of an iteration on one member; fresh until it has answered once. */
  private static final class Group {
    final Member member;
    final int id;
    final int[] tasks;
    boolean fresh = true;

    Group(Member member, int id, int[] tasks) {
      this.member = member;
      this.id = id;
      this.tasks = tasks;
    }
  }

  private final class ClusterIteration implements Iteration {
    private final int iteration;
    private final int tasks;
    private final List<Group> groups;
    private final List<TaskRequest> history = new ArrayList<>();
    private final Set<UUID> dead = new HashSet<>();
    private final Set<Member> touched = new HashSet<>();
    private boolean closed;

    ClusterIteration(int iteration, int tasks, List<Group> groups) {
      this.iteration = iteration;
      this.tasks = tasks;
      this.groups = new ArrayList<>(groups);
    }

    @Override
    public int tasks() {
      return tasks;
    }

    @Override
    public List<TaskReply> send(TaskRequest request) {
      if (closed) {
        throw new IllegalStateException("iteration " + iteration + " is closed");
      }
      long t0 = System.nanoTime();
      history.add(request);
      int index = history.size() - 1;
      TaskReply[] out = new TaskReply[tasks];
      long sent = 0;
      long received = 0;
      long compute = 0;
      List<Group> pending = new ArrayList<>(groups);
      while (!pending.isEmpty()) {
        List<Future<Jobs.Answer>> futures = new ArrayList<>(pending.size());
        for (Group g : pending) {
          // A fresh group (first round, or tasks taken over from a lost member) answers the whole history.
          Jobs.Round job = g.fresh ? new Jobs.Round(proof, runKey, iteration, g.id, g.tasks, 0, history)
              : new Jobs.Round(proof, runKey, iteration, g.id, g.tasks, index, List.of(request));
          sent += bytes(job);
          touched.add(g.member);
          futures.add(submit(job, g.member));
        }
        long deadline = System.nanoTime() + driver.settings().roundTimeout().toNanos();
        List<Group> failed = new ArrayList<>();
        String why = null;
        for (int k = 0; k < pending.size(); k++) {
          Group g = pending.get(k);
          try {
            Jobs.Answer a = futures.get(k).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            TaskReply[] r = a.replies();
            compute = Math.max(compute, a.computeNanos());
            if (r.length != g.tasks.length) {
              throw new IllegalStateException("member " + address(g.member) + " answered " + r.length + " of "
                  + g.tasks.length + " tasks");
            }
            for (int j = 0; j < r.length; j++) {
              out[g.tasks[j]] = r[j];
            }
            received += bytes(a);
            g.fresh = false;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a round of iteration " + iteration, e);
          } catch (TimeoutException e) {
            futures.get(k).cancel(true);
            why = "member " + address(g.member) + " did not answer within " + driver.settings().roundTimeout();
            failed.add(g);
          } catch (ExecutionException e) {
            if (!lost(e.getCause(), g.member)) {
              throw rethrow(e.getCause());
            }
            why = "member " + address(g.member) + " left";
            failed.add(g);
          }
        }
        pending = reassign(failed, why);
      }
      driver.stats().round(sent, received, (System.nanoTime() - t0) / 1e9, compute / 1e9);
      return Arrays.asList(out);
    }

    /** New groups on the remaining members for the tasks of {@code failed}. */
    private List<Group> reassign(List<Group> failed, String why) {
      if (failed.isEmpty()) {
        return List.of();
      }
      List<Integer> orphans = new ArrayList<>();
      for (Group g : failed) {
        dead.add(g.member.getUuid());
        groups.remove(g);
        for (int t : g.tasks) {
          orphans.add(t);
        }
      }
      orphans.sort(null);
      List<Member> alive = new ArrayList<>();
      for (Member m : driver.workers()) {
        if (prepared.containsKey(m.getUuid()) && !dead.contains(m.getUuid())) {
          alive.add(m);
        }
      }
      if (alive.isEmpty()) {
        throw new ClusterException("cluster '" + driver.settings().name() + "': no worker left for iteration "
            + iteration + " (" + why + "); the last checkpoint is kept, continue with train --resume --out RUN once"
            + " workers are back");
      }
      System.err.println("maml4j: " + why + "; re-running its " + orphans.size() + " tasks of iteration " + iteration
          + " on " + alive.size() + " other member(s)");
      List<Group> fresh = new ArrayList<>();
      int m = Math.min(alive.size(), orphans.size());
      for (int j = 0; j < m; j++) {
        List<Integer> mine = new ArrayList<>();
        for (int i = j; i < orphans.size(); i += m) {
          mine.add(orphans.get(i));
        }
        Group g = new Group(alive.get(j), nextGroup++, mine.stream().mapToInt(Integer::intValue).toArray());
        fresh.add(g);
        groups.add(g);
      }
      return fresh;
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      long t0 = System.nanoTime();
      List<Future<Boolean>> fs = new ArrayList<>();
      long sent = 0;
      for (Member m : touched) {
        if (driver.workers().contains(m)) {
          Jobs.Finish job = new Jobs.Finish(proof, runKey, iteration);
          sent += bytes(job);
          Future<Boolean> f = submit(job, m);
          if (!dead.contains(m.getUuid())) {
            fs.add(f);
          }
        }
      }
      awaitQuietly(fs);
      driver.stats().round(sent, fs.size() * bytes(Boolean.TRUE), (System.nanoTime() - t0) / 1e9, 0);
    }
  }

  /** The Java-serialized size of {@code o}, what Hazelcast sends for a Serializable job or reply. */
  static long bytes(Object o) {
    long[] n = new long[1];
    OutputStream counter = new OutputStream() {
      @Override
      public void write(int b) {
        n[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        n[0] += len;
      }
    };
    try (ObjectOutputStream out = new ObjectOutputStream(counter)) {
      out.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException("cannot serialize " + o.getClass().getSimpleName(), e);
    }
    return n[0];
  }
}
