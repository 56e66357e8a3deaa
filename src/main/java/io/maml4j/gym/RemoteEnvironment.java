package io.maml4j.gym;

import com.google.gson.JsonObject;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import java.util.Arrays;

/**
 * One instance on a Gym HTTP server, as an {@link Environment}. Mutable: the state lives on the
 * server; this object holds its instance id and the spaces, read once at creation.
 *
 * <p>Observations of any shape arrive flattened in row-major order (the shape of the last one is
 * {@link #lastObservationShape()}); a discrete observation is its index. {@code step} is never
 * retried (see {@link GymHttpClient}). {@link #close()} closes the remote instance once.
 */
public final class RemoteEnvironment implements Environment {
  private final GymHttpClient client;
  private final String instanceId;
  private final Space observationSpace;
  private final Space actionSpace;
  private JsonObject lastInfo = new JsonObject();
  private int[] lastShape = new int[0];
  private boolean closed;

  private RemoteEnvironment(GymHttpClient client, String instanceId, Space observationSpace, Space actionSpace) {
    this.client = client;
    this.instanceId = instanceId;
    this.observationSpace = observationSpace;
    this.actionSpace = actionSpace;
  }

  /** Creates an instance of {@code envId} on the server and reads its spaces. */
  public static RemoteEnvironment create(GymHttpClient client, String envId, GymHttpClient.CreateOptions options) {
    String id = client.create(envId, options);
    try {
      return new RemoteEnvironment(client, id, client.observationSpace(id), client.actionSpace(id));
    } catch (RuntimeException e) {
      closeQuietly(client, id, e);
      throw e;
    }
  }

  /**
   * Creates an instance whose spaces are already known (every instance of one env id shares
   * them), saving two round trips.
   */
  static RemoteEnvironment create(GymHttpClient client, String envId, GymHttpClient.CreateOptions options,
      Space observationSpace, Space actionSpace) {
    return new RemoteEnvironment(client, client.create(envId, options), observationSpace, actionSpace);
  }

  /** Wraps an instance that already exists on the server. */
  public static RemoteEnvironment attach(GymHttpClient client, String instanceId) {
    return new RemoteEnvironment(client, instanceId, client.observationSpace(instanceId),
        client.actionSpace(instanceId));
  }

  /** The server's id for this instance. */
  public String instanceId() {
    return instanceId;
  }

  @Override
  public Space observationSpace() {
    return observationSpace;
  }

  @Override
  public Space actionSpace() {
    return actionSpace;
  }

  /** Resets with the seed (sent to servers that take one; the reference server ignores it). */
  @Override
  public double[] reset(long seed) {
    GymHttpClient.Reset r = client.reset(instanceId, seed);
    lastInfo = r.info();
    return flat(r.observation());
  }

  @Override
  public StepResult step(double[] action) {
    GymHttpClient.Step s = client.step(instanceId, actionSpace, action);
    lastInfo = s.info();
    return new StepResult(flat(s.observation()), s.reward(), s.terminated(), s.truncated());
  }

  /** The {@code info} object of the last reset or step (empty if the server sent none). */
  public JsonObject lastInfo() {
    return lastInfo.deepCopy();
  }

  /** The shape the last observation came in ({@code []} for a scalar). */
  public int[] lastObservationShape() {
    return lastShape.clone();
  }

  private double[] flat(Observation o) {
    double[] v = o.values();
    if (v.length != observationSpace.flatSize()) {
      throw new GymHttpException.BadReply("POST", client.baseUrl() + " instance " + instanceId,
          "observation has " + v.length + " values " + Arrays.toString(o.shape()) + " but the observation space "
              + observationSpace + " has " + observationSpace.flatSize(), null);
    }
    lastShape = o.shape();
    return v;
  }

  /** Closes the remote instance; later calls do nothing. */
  @Override
  public void close() {
    if (!closed) {
      closed = true;
      client.close(instanceId);
    }
  }

  private static void closeQuietly(GymHttpClient client, String id, RuntimeException primary) {
    try {
      client.close(id);
    } catch (RuntimeException e) {
      primary.addSuppressed(e);
    }
  }
}
