package io.maml4j.gym;

import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The server's live instances: a bounded table with idle expiry. Thread-safe; each instance
 * serialises its own resets and steps, so many clients can work on different instances at once.
 */
final class Instances {
  /** A request the server refuses, with the HTTP status and the message for the client. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  /**
   * One environment instance with Gym's TimeLimit semantics: after {@code maxSteps} steps since
   * the last reset, steps report {@code truncated}. Once an episode has ended (terminated or
   * truncated) a step is refused until the next reset, whatever the environment would do, and a
   * non-finite observation or reward is refused as the environment's fault (it is not JSON).
   * Mutable; guarded by its own lock.
   */
  static final class Instance {
    final String id;
    final String envId;
    final Task task;
    final Environment env;
    final Space observationSpace;
    final Space actionSpace;
    final int maxSteps;
    final SplittableRandom rng;
    private int elapsed;
    private boolean needsReset = true;
    /** Why the last episode ended ("terminated", "truncated", ...), or null before any step. */
    private String ended;
    private boolean closed;
    volatile long lastUsedNanos = System.nanoTime();

    Instance(String id, String envId, Task task, Environment env, int maxSteps, SplittableRandom rng) {
      this.id = id;
      this.envId = envId;
      this.task = task;
      this.env = env;
      this.observationSpace = env.observationSpace();
      this.actionSpace = env.actionSpace();
      this.maxSteps = maxSteps;
      this.rng = rng;
    }

    synchronized double[] reset(Long seed) {
      checkOpen();
      needsReset = true;
      ended = null;
      double[] obs = env.reset(seed != null ? seed : rng.nextLong());
      elapsed = 0;
      checkFinite("reset", obs, 0);
      needsReset = false;
      return obs;
    }

    /**
     * Refuses a step before the first reset, as Gymnasium's order enforcing does, and after the
     * episode ended: environments differ in what they do then (some throw, some go on), so the
     * server answers the same for all.
     */
    synchronized void checkSteppable() {
      checkOpen();
      if (needsReset) {
        throw new Refused(400, ended == null
            ? "Instance_id " + id + ": cannot call env.step() before calling env.reset()"
            : "Instance_id " + id + ": the episode " + ended + "; call env.reset() before env.step()");
      }
    }

    synchronized StepResult step(double[] action) {
      checkSteppable();
      StepResult r = env.step(action);
      elapsed++;
      if (elapsed >= maxSteps && !r.truncated()) {
        r = new StepResult(r.observation(), r.reward(), r.terminated(), true);
      }
      if (r.terminated() || r.truncated()) {
        needsReset = true;
        ended = (r.terminated() ? "terminated" : "was truncated") + " at step " + elapsed;
      }
      if (!Double.isFinite(r.reward())) {
        needsReset = true;
        ended = "stopped at step " + elapsed + " on a non-finite reward";
        throw new Refused(500, where() + ": step " + elapsed + " gave a non-finite reward (" + r.reward()
            + "); the episode is over");
      }
      checkFinite("step " + elapsed, r.observation(), elapsed);
      return r;
    }

    /** Refuses (500) an observation with a non-finite entry, which cannot be written as JSON. */
    private void checkFinite(String what, double[] obs, int step) {
      for (int i = 0; i < obs.length; i++) {
        if (!Double.isFinite(obs[i])) {
          needsReset = true;
          ended = "stopped at step " + step + " on a non-finite observation";
          throw new Refused(500, where() + ": " + what + " gave a non-finite observation (entry " + i + " is "
              + obs[i] + "); the episode is over");
        }
      }
    }

    private String where() {
      return "instance " + id + " of " + envId + " (task " + task.params() + ")";
    }

    synchronized double[] sampleAction() {
      checkOpen();
      return Instances.sample(actionSpace, rng);
    }

    private void checkOpen() {
      if (closed) {
        throw new Refused(400, "Instance_id " + id + " unknown");
      }
    }

    synchronized void close() {
      if (!closed) {
        closed = true;
        env.close();
      }
    }
  }

  private final ConcurrentHashMap<String, Instance> live = new ConcurrentHashMap<>();
  private final int max;
  private final long idleNanos;
  private int reserved;
  /** Recently expired ids, so that a late client learns why its instance is gone. */
  private final Map<String, Boolean> expired = new LinkedHashMap<>(16, 0.75f, false) {
    private static final long serialVersionUID = 1L;

    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> e) {
      return size() > 10_000;
    }
  };

  Instances(int max, long idleNanos) {
    this.max = max;
    this.idleNanos = idleNanos;
  }

  /** Claims room for {@code n} new instances, or refuses with 429 when the limit would be passed. */
  synchronized void reserve(int n) {
    if (reserved + n > max) {
      throw new Refused(429, "instance limit reached: " + reserved + " of " + max + " live, " + n
          + " more asked for; close instances (or start the server with a higher --max-instances)");
    }
    reserved += n;
  }

  synchronized void release(int n) {
    reserved -= n;
  }

  /** Adds an instance built by {@code make} under a fresh 8-hex-digit id; room must be reserved. */
  Instance add(String envId, java.util.function.Function<String, Instance> make) {
    while (true) {
      String id = String.format("%08x", ThreadLocalRandom.current().nextInt());
      if (!live.containsKey(id)) {
        Instance inst = make.apply(id);
        if (live.putIfAbsent(id, inst) == null) {
          return inst;
        }
        inst.close();
      }
    }
  }

  /** The live instance, marked as used; 400 "Instance_id X unknown" otherwise, as the reference server says. */
  Instance get(String id) {
    Instance inst = live.get(id);
    if (inst == null) {
      boolean wasExpired;
      synchronized (this) {
        wasExpired = expired.containsKey(id);
      }
      throw new Refused(400, "Instance_id " + id + " unknown"
          + (wasExpired ? " (closed by the server after " + (idleNanos < 10_000_000_000L ? idleNanos / 1_000_000 + " ms"
          : idleNanos / 1_000_000_000L + " s") + " idle)" : ""));
    }
    inst.lastUsedNanos = System.nanoTime();
    return inst;
  }

  /** Removes and closes an instance. */
  void remove(String id) {
    Instance inst = live.remove(id);
    if (inst == null) {
      get(id);
      return;
    }
    release(1);
    inst.close();
  }

  /** Closes the instances unused for longer than the idle timeout. */
  void expireIdle() {
    long now = System.nanoTime();
    for (Instance inst : live.values()) {
      if (now - inst.lastUsedNanos > idleNanos && live.remove(inst.id, inst)) {
        synchronized (this) {
          expired.put(inst.id, Boolean.TRUE);
        }
        release(1);
        inst.close();
      }
    }
  }

  Map<String, String> list() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Instance inst : live.values()) {
      out.put(inst.id, inst.envId);
    }
    return out;
  }

  int size() {
    return live.size();
  }

  void closeAll() {
    List<Instance> all = new ArrayList<>(live.values());
    live.clear();
    for (Instance inst : all) {
      inst.close();
    }
  }

  /**
   * A random element of a space, like Gym's {@code sample()}: uniform where bounded, normal where
   * unbounded both ways, shifted exponential where bounded on one side.
   */
  static double[] sample(Space space, SplittableRandom rng) {
    if (space instanceof io.maml4j.env.Discrete d) {
      return new double[] {rng.nextInt(d.n())};
    }
    io.maml4j.env.Box b = (io.maml4j.env.Box) space;
    double[] lo = b.low();
    double[] hi = b.high();
    double[] out = new double[lo.length];
    for (int i = 0; i < out.length; i++) {
      boolean l = Double.isFinite(lo[i]);
      boolean h = Double.isFinite(hi[i]);
      double exp = -Math.log(1 - rng.nextDouble());
      out[i] = l && h ? lo[i] + (hi[i] - lo[i]) * rng.nextDouble()
          : l ? lo[i] + exp : h ? hi[i] - exp : rng.nextGaussian();
    }
    return out;
  }
}
