package io.maml4j.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.IExecutorService;
import io.maml4j.train.Run;
import io.maml4j.work.TaskExecutor;
import io.maml4j.work.UnitFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Function;

/**
 * The driver's side of a cluster: a lite Hazelcast member (it holds no data and runs no units)
 * that joins the workers and makes {@link ClusterExecutor}s for runs. Owns that member until
 * {@link #close()}; it also counts rounds and bytes for {@code bench}.
 */
public final class ClusterDriver implements AutoCloseable {
  private final ClusterSettings settings;
  private final HazelcastInstance hz;
  private final Stats stats = new Stats();

  public ClusterDriver(ClusterSettings settings) {
    this.settings = settings;
    this.hz = Hazelcast.newHazelcastInstance(settings.hazelcast(true));
  }

  /** The executors of runs of {@code run}: each {@link io.maml4j.train.Trainer#run} gets a fresh one. */
  public Function<UnitFactory, TaskExecutor> executors(Run run) {
    // The units are built on the members from the run's config; the driver's own are not used.
    return units -> new ClusterExecutor(this, run);
  }

  /**
   * The executors of an evaluation: the held-out tasks of {@code evaluation} fine-tuned from the
   * θ the driver sends, with the environment and policy of {@code run} (see {@link
   * io.maml4j.eval.EvaluationUnits}).
   */
  public Function<UnitFactory, TaskExecutor> evaluationExecutors(Run run, io.maml4j.eval.EvalConfig evaluation) {
    java.util.Objects.requireNonNull(evaluation, "evaluation");
    // As for training, the members build their own units; the driver's are not used.
    return units -> new ClusterExecutor(this, run, evaluation);
  }

  /** The workers in the cluster now, in a fixed order (by member id). */
  public List<Member> workers() {
    List<Member> out = new ArrayList<>();
    for (Member m : hz.getCluster().getMembers()) {
      if (!m.isLiteMember()) {
        out.add(m);
      }
    }
    out.sort(Comparator.comparing(m -> m.getUuid().toString()));
    return out;
  }

  /** Rounds, bytes and round times since this driver started. */
  public Stats stats() {
    return stats;
  }

  ClusterSettings settings() {
    return settings;
  }

  IExecutorService executorService() {
    return hz.getExecutorService("maml4j");
  }

  String id() {
    return hz.getCluster().getLocalMember().getUuid().toString();
  }

  @Override
  public void close() {
    hz.shutdown();
  }

  /** Counters of the traffic of this driver's rounds. Thread-safe. */
  public static final class Stats {
    private long rounds;
    private long bytesSent;
    private long bytesReceived;
    private final List<Double> roundSeconds = new ArrayList<>();
    private final List<Double> overheadSeconds = new ArrayList<>();

    synchronized void round(long sent, long received, double seconds, double slowestCompute) {
      rounds++;
      bytesSent += sent;
      bytesReceived += received;
      roundSeconds.add(seconds);
      overheadSeconds.add(Math.max(0, seconds - slowestCompute));
    }

    /** Broadcast rounds (a request to every task, or an iteration's close) so far. */
    public synchronized long rounds() {
      return rounds;
    }

    /** Java-serialized bytes of the jobs sent so far. */
    public synchronized long bytesSent() {
      return bytesSent;
    }

    /** Java-serialized bytes of the replies received so far. */
    public synchronized long bytesReceived() {
      return bytesReceived;
    }

    /**
     * Per round so far, in order: its wall time less the compute time of its slowest member, what
     * the cluster adds to a round (serialization, network, scheduling, the driver's bookkeeping).
     */
    public synchronized List<Double> overheadSeconds() {
      return List.copyOf(overheadSeconds);
    }

    /** The wall time of every round so far, in order. */
    public synchronized List<Double> roundSeconds() {
      return List.copyOf(roundSeconds);
    }
  }
}
