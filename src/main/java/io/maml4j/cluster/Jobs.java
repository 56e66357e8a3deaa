package io.maml4j.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceAware;
import io.maml4j.meta.TaskReply;
import io.maml4j.meta.TaskRequest;
import java.io.Serializable;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * What the driver submits to a worker: plain serializable values (no ND4J arrays, which live off
 * the heap). Every job carries the sender's proof of the secret and is refused without it.
 */
final class Jobs {
  private Jobs() {}

  /** A job run by the worker state of the member it lands on. */
  abstract static class Job<T extends Serializable> implements Callable<T>, Serializable, HazelcastInstanceAware {
    private static final long serialVersionUID = 1L;
    final String proof;
    private transient HazelcastInstance hz;

    Job(String proof) {
      this.proof = proof;
    }

    @Override
    public void setHazelcastInstance(HazelcastInstance hz) {
      this.hz = hz;
    }

    @Override
    public final T call() {
      Object s = hz.getUserContext().get(Worker.CONTEXT_KEY);
      if (!(s instanceof Worker.State state)) {
        throw new IllegalStateException("member " + hz.getCluster().getLocalMember().getAddress()
            + " is not a maml4j worker");
      }
      state.checkProof(proof);
      return run(state);
    }

    abstract T run(Worker.State state);
  }

  /** What a worker says about a run it was asked to serve: null {@code problem} when it serves it. */
  record Hello(String version, long fingerprint, int threads, String problem) implements Serializable {}

  /**
   * Asks a worker to serve a run: build its units from the shipped config.json, the training
   * units or, with {@code evaluation} set, the evaluation units of its environment and policy.
   */
  static final class Prepare extends Job<Hello> {
    private static final long serialVersionUID = 1L;
    final String run;
    final String configJson;
    final String driver;
    final String driverVersion;
    final io.maml4j.eval.EvalConfig evaluation;

    Prepare(String proof, String run, String configJson, String driver, String driverVersion,
        io.maml4j.eval.EvalConfig evaluation) {
      super(proof);
      this.run = run;
      this.configJson = configJson;
      this.driver = driver;
      this.driverVersion = driverVersion;
      this.evaluation = evaluation;
    }

    @Override
    Hello run(Worker.State state) {
      return state.prepare(this);
    }
  }

  /**
   * One round for one group of tasks of one iteration: the requests from index {@code from} of
   * the iteration's history on. A group the worker has not seen is opened and answers the whole
   * history (a replay, when it takes over a lost member's tasks).
   */
  static final class Round extends Job<Answer> {
    private static final long serialVersionUID = 1L;
    final String run;
    final int iteration;
    final int group;
    final int[] tasks;
    final int from;
    final List<TaskRequest> requests;

    Round(String proof, String run, int iteration, int group, int[] tasks, int from, List<TaskRequest> requests) {
      super(proof);
      this.run = run;
      this.iteration = iteration;
      this.group = group;
      this.tasks = tasks;
      this.from = from;
      this.requests = List.copyOf(requests);
    }

    @Override
    Answer run(Worker.State state) {
      long t0 = System.nanoTime();
      TaskReply[] replies = state.round(this);
      return new Answer(replies, System.nanoTime() - t0);
    }
  }

  /** A group's replies in its task order, and how long the worker computed them. */
  record Answer(TaskReply[] replies, long computeNanos) implements Serializable {}

  /** Closes a run's groups of one iteration, or with {@code iteration} -1 the whole run. */
  static final class Finish extends Job<Boolean> {
    private static final long serialVersionUID = 1L;
    final String run;
    final int iteration;

    Finish(String proof, String run, int iteration) {
      super(proof);
      this.run = run;
      this.iteration = iteration;
    }

    @Override
    Boolean run(Worker.State state) {
      state.finish(run, iteration);
      return Boolean.TRUE;
    }
  }
}
