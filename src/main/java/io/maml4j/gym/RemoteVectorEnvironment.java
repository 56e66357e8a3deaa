package io.maml4j.gym;

import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.VectorEnvironment;
import java.util.ArrayList;
import java.util.List;

/**
 * Many instances on one Gym HTTP server stepped through the batched extension: one round trip
 * creates, resets, steps or closes all of them, instead of one per instance. Mutable: the
 * instances' state lives on the server.
 *
 * <p>Use {@link #open} to get this when the server offers the extension and plain
 * {@link RemoteEnvironment}s stepped in turn when it does not.
 */
public final class RemoteVectorEnvironment implements VectorEnvironment {
  private final GymHttpClient client;
  private final List<String> ids;
  private final Space observationSpace;
  private final Space actionSpace;
  private boolean closed;

  private RemoteVectorEnvironment(GymHttpClient client, GymHttpClient.BatchCreated created) {
    this.client = client;
    this.ids = created.instanceIds();
    this.observationSpace = created.observationSpace();
    this.actionSpace = created.actionSpace();
  }

  /** Creates one instance per options entry with a single batched call; the server must offer the extension. */
  public static RemoteVectorEnvironment create(GymHttpClient client, String envId,
      List<GymHttpClient.CreateOptions> options) {
    return new RemoteVectorEnvironment(client, client.createBatch(envId, options));
  }

  /**
   * One instance per options entry: batched if the server offers the extension and {@code
   * allowBatch}, else plain instances stepped one after another (one round trip each).
   */
  public static VectorEnvironment open(GymHttpClient client, String envId, List<GymHttpClient.CreateOptions> options,
      boolean allowBatch) {
    if (allowBatch && client.supportsBatch()) {
      return create(client, envId, options);
    }
    List<io.maml4j.env.Environment> envs = new ArrayList<>(options.size());
    try {
      RemoteEnvironment first = RemoteEnvironment.create(client, envId, options.get(0));
      envs.add(first);
      for (int i = 1; i < options.size(); i++) {
        envs.add(RemoteEnvironment.create(client, envId, options.get(i), first.observationSpace(),
            first.actionSpace()));
      }
    } catch (RuntimeException e) {
      for (io.maml4j.env.Environment env : envs) {
        try {
          env.close();
        } catch (RuntimeException c) {
          e.addSuppressed(c);
        }
      }
      throw e;
    }
    return VectorEnvironment.of(envs);
  }

  /** The server's ids of the instances, in order. */
  public List<String> instanceIds() {
    return ids;
  }

  @Override
  public int size() {
    return ids.size();
  }

  @Override
  public Space observationSpace() {
    return observationSpace;
  }

  @Override
  public Space actionSpace() {
    return actionSpace;
  }

  @Override
  public double[][] reset(long[] seeds) {
    double[][] obs = client.resetBatch(ids, seeds);
    for (double[] o : obs) {
      checkSize(o);
    }
    return obs;
  }

  @Override
  public StepResult[] step(double[][] actions, boolean[] active) {
    if (actions.length != ids.size() || active.length != ids.size()) {
      throw new IllegalArgumentException("need one action and one flag per instance (" + ids.size() + "), got "
          + actions.length + " and " + active.length);
    }
    List<String> live = new ArrayList<>(ids.size());
    List<double[]> liveActions = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      if (active[i]) {
        live.add(ids.get(i));
        liveActions.add(actions[i]);
      }
    }
    StepResult[] out = new StepResult[ids.size()];
    if (live.isEmpty()) {
      return out;
    }
    StepResult[] res = client.stepBatch(live, actionSpace, liveActions.toArray(new double[0][]));
    for (int i = 0, j = 0; i < ids.size(); i++) {
      if (active[i]) {
        checkSize(res[j].observation());
        out[i] = res[j++];
      }
    }
    return out;
  }

  private void checkSize(double[] o) {
    if (o.length != observationSpace.flatSize()) {
      throw new GymHttpException.BadReply("POST", client.baseUrl() + "/v1/batch/", "observation has " + o.length
          + " values but the observation space " + observationSpace + " has " + observationSpace.flatSize(), null);
    }
  }

  /** Closes all instances with one call; later calls do nothing. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      client.closeBatch(ids);
    }
  }
}
