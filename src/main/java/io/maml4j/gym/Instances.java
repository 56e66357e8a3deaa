package io.maml4j.gym;

import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
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
   * the last reset, steps report {@code truncated}. Mutable; guarded by its own lock.
   */
  static final class Instance {
    final String id;
    final String envId;
    final Environment env;
    final Space observationSpace;
    final Space actionSpace;
    final int maxSteps;
    final SplittableRandom rng;
    private int elapsed;
    private boolean needsReset = true;
    private boolean closed;
    volatile long lastUsedNanos = System.nanoTime();

    Instance(String id, String envId, Environment env, int maxSteps, SplittableRandom rng) {
      this.id = id;
      this.envId = envId;
      this.env = env;
      this.observationSpace = env.observationSpace();
      this.actionSpace = env.actionSpace();
      this.maxSteps = maxSteps;
      this.rng = rng;
    }

    synchronized double[] reset(Long seed) {
      checkOpen();
      double[] obs = env.reset(seed != null ? seed : rng.nextLong());
      elapsed = 0;
      needsReset = false;
      return obs;
    }

    /** Refuses a step before the first reset, as Gymnasium's order enforcing does. */
    synchronized void checkSteppable() {
      checkOpen();
      if (needsReset) {
        throw new Refused(400, "Instance_id " + id + ": cannot call env.step() before calling env.reset()");
      }
    }

    synchronized StepResult step(double[] action) {
      checkSteppable();
      StepResult r = env.step(action);
      elapsed++;
      return elapsed >= maxSteps && !r.truncated()
          ? new StepResult(r.observation(), r.reward(), r.terminated(), true) : r;
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
