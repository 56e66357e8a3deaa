package io.maml4j.locomotion;

import io.maml4j.env.Box;
import io.maml4j.env.Environment;
import io.maml4j.env.Space;
import io.maml4j.env.StepResult;
import io.maml4j.env.Task;
import io.maml4j.mujoco.MjModel;
import io.maml4j.mujoco.MjSim;
import io.maml4j.mujoco.MjWarning;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * One half cheetah or ant with a fixed task, simulated by its own {@link MjSim}. Mutable: holds
 * the simulation state. Not thread-safe, but it may move between threads between calls (as in a
 * {@link io.maml4j.env.ThreadedVectorEnvironment}).
 *
 * <p><b>Reset</b> ({@link #reset(long)}): as gym's {@code reset_model}, qpos = qpos0 + U[-0.1,
 * 0.1) and qvel = N(0, 0.1²) per coordinate, drawn from {@code new SplittableRandom(seed)}, so a
 * seed determines the episode's start.
 *
 * <p><b>Step</b> ({@link #step(double[])}): the action is clipped to [-s, s] (s = {@code
 * action_scale}) and mapped linearly onto each actuator's control range (pytorch-maml-rl's {@code
 * NormalizedActionWrapper}); the controls c are held for {@code frame_skip} MuJoCo steps of
 * dt/frame_skip each. The reward is the family's task term ({@link Locomotion}) of the torso's
 * move, computed from qpos before and after, minus the robot's control cost on c and contact cost,
 * plus its survival bonus ({@link Robot}). The episode terminates when the state stops being
 * finite (MuJoCo then resets the simulation by itself and counts a warning; that step's reward is
 * just minus the control cost), or for the ant when the torso height qpos[2] leaves [0.2, 1.0];
 * it is truncated after {@code horizon} steps.
 *
 * <p><b>Observation</b>: qpos without its first {@link Locomotion#hiddenRootCoordinates()}
 * entries, then qvel, then for the ant the external forces clip(cfrc_ext, -1, 1) of every body
 * (nbody x 6, world body included), as gym's HalfCheetah-v2 (17 numbers) and Ant-v2 (13 + 14 + 84
 * = 111; ant-goal keeps x and y, 113).
 *
 * <p>Departures from the Python anchors: the ant's torso position is read from qpos (the current
 * state) where gym reads {@code xpos}, which lags it by one MuJoCo step; the contact forces are
 * computed ({@code mj_rnePostConstraint}) where gym on MuJoCo 2 reads zeros; observations do not
 * include pytorch-maml-rl's extra torso position and orientation.
 */
public final class LocomotionEnv implements Environment {
  /** Half-width of the uniform noise added to qpos at reset (gym). */
  public static final double QPOS_NOISE = 0.1;
  /** Standard deviation of the Gaussian initial qvel (gym). */
  public static final double QVEL_NOISE = 0.1;

  private final Locomotion kind;
  private final Robot robot;
  private final MjModel model;
  private final MjSim sim;
  private final double[] target;
  private final int horizon;
  private final int frameSkip;
  private final double dt;
  private final double scale;
  private final double[] ctrlLow;
  private final double[] ctrlHigh;
  private final double[] ctrlMid;
  private final double[] ctrlHalf;
  private final double[] ctrl;
  private final double[] qpos0;
  private final double[] qpos;
  private final double[] qvel;
  private final double[] cfrc;
  private final int hidden;
  private final int obsSize;
  private final Box observationSpace;
  private final Box actionSpace;
  private int steps = -1;
  /** The episode has ended; a step before the next reset is refused, as the contract asks. */
  private boolean over;

  /** An environment for one task; prefer {@link LocomotionTasks#make(Task)}. */
  public LocomotionEnv(Locomotion kind, MjModel model, LocomotionConfig config, Task task) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.robot = kind.robot();
    this.model = Objects.requireNonNull(model, "model");
    checkModel(kind, model);
    this.target = kind.target(task);
    this.horizon = config.horizon();
    this.frameSkip = config.frameSkip();
    this.dt = frameSkip * model.timestep();
    this.scale = config.actionScale();
    this.ctrlLow = model.ctrlLow();
    this.ctrlHigh = model.ctrlHigh();
    this.ctrl = new double[model.nu()];
    this.ctrlMid = new double[ctrl.length];
    this.ctrlHalf = new double[ctrl.length];
    for (int i = 0; i < ctrl.length; i++) {
      ctrlMid[i] = 0.5 * (ctrlLow[i] + ctrlHigh[i]);
      ctrlHalf[i] = 0.5 * (ctrlHigh[i] - ctrlLow[i]);
    }
    this.qpos0 = model.qpos0();
    this.qpos = new double[model.nq()];
    this.qvel = new double[model.nv()];
    this.cfrc = new double[6 * model.nbody()];
    this.hidden = kind.hiddenRootCoordinates();
    this.obsSize = observationSize(kind, model);
    this.observationSpace = Box.of(obsSize, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY);
    this.actionSpace = Box.of(model.nu(), -scale, scale);
    this.sim = model.newSim();
  }

  /** Observation length: nq - hidden root coordinates + nv (+ 6 nbody for the ant). */
  static int observationSize(Locomotion kind, MjModel model) {
    return model.nq() - kind.hiddenRootCoordinates() + model.nv()
        + (kind.robot().usesContactForces() ? 6 * model.nbody() : 0);
  }

  /** Fails unless the model has the robot's root joints and limited actuators. */
  static void checkModel(Locomotion kind, MjModel model) {
    String problem = null;
    if (kind.robot() == Robot.HALF_CHEETAH) {
      if (model.njnt() < 3 || model.jointQposAddress(model.jointId("rootx")) != 0
          || model.jointQposAddress(model.jointId("rootz")) != 1) {
        problem = "a half cheetah needs slide joints rootx and rootz at qpos[0] and qpos[1]";
      }
    } else if (model.nq() < 7 || model.jointQposAddress(0) != 0 || model.nq() != model.nv() + 1) {
      problem = "an ant needs a free root joint at qpos[0..6]";
    }
    double[] lo = model.ctrlLow();
    double[] hi = model.ctrlHigh();
    for (int i = 0; i < lo.length && problem == null; i++) {
      if (!(Double.isFinite(lo[i]) && Double.isFinite(hi[i]) && lo[i] < hi[i])) {
        problem = "every actuator needs a finite ctrlrange, actuator " + i + " has [" + lo[i] + ", " + hi[i] + "]";
      }
    }
    if (model.nu() == 0) {
      problem = "the model has no actuators";
    }
    if (problem != null) {
      throw new IllegalArgumentException(kind.specName() + ": model " + model.source() + " does not fit: " + problem);
    }
  }

  @Override
  public Space observationSpace() {
    return observationSpace;
  }

  @Override
  public Space actionSpace() {
    return actionSpace;
  }

  /** The task family. */
  public Locomotion kind() {
    return kind;
  }

  /** Seconds of simulated time per environment step (frame skip x model time step). */
  public double dt() {
    return dt;
  }

  /** Environment steps since the last reset. */
  public int steps() {
    return Math.max(steps, 0);
  }

  /** A copy of the generalised coordinates after the last reset or step. */
  public double[] qpos() {
    return qpos.clone();
  }

  /** A copy of the generalised velocities after the last reset or step. */
  public double[] qvel() {
    return qvel.clone();
  }

  @Override
  public double[] reset(long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    double[] q = qpos0.clone();
    for (int i = 0; i < q.length; i++) {
      q[i] += rng.nextDouble(-QPOS_NOISE, QPOS_NOISE);
    }
    double[] v = new double[qvel.length];
    for (int i = 0; i < v.length; i++) {
      v[i] = QVEL_NOISE * rng.nextGaussian();
    }
    return resetTo(q, v);
  }

  /**
   * Starts an episode from a given state instead of a random one, e.g. to replay or probe a
   * situation; returns its observation.
   */
  public double[] resetTo(double[] qpos, double[] qvel) {
    sim.reset();
    sim.setState(qpos, qvel);
    steps = 0;
    over = false;
    read();
    return observe();
  }

  @Override
  public StepResult step(double[] action) {
    if (steps < 0 || over) {
      throw new IllegalStateException(kind.specName() + " episode is over or not started; call reset first");
    }
    if (action.length != ctrl.length) {
      throw new IllegalArgumentException(kind.specName() + " action must have " + ctrl.length + " entries, got "
          + action.length);
    }
    double controlSq = 0;
    for (int i = 0; i < ctrl.length; i++) {
      double a = action[i];
      if (Double.isNaN(a)) {
        throw new IllegalArgumentException(kind.specName() + " action " + i + " is NaN");
      }
      a = Math.max(-scale, Math.min(scale, a));
      // c = mid + a * half / s, which is exactly a / s for the usual range [-1, 1].
      double c = ctrlMid[i] + a * ctrlHalf[i] / scale;
      c = Math.max(ctrlLow[i], Math.min(ctrlHigh[i], c));
      ctrl[i] = c;
      double u = robot.controlRelativeToRange() ? c / ctrlHalf[i] : c;
      controlSq += u * u;
    }
    double x0 = qpos[0];
    sim.setCtrl(ctrl);
    sim.step(frameSkip);
    steps++;
    read();
    checkBuffers();
    boolean unstable = sim.warningCount(MjWarning.BADQPOS) + sim.warningCount(MjWarning.BADQVEL)
        + sim.warningCount(MjWarning.BADQACC) > 0 || !finite(qpos) || !finite(qvel);
    double contactSq = 0;
    if (robot.usesContactForces()) {
      for (double f : cfrc) {
        double g = Math.max(-1, Math.min(1, f));
        contactSq += g * g;
      }
    }
    double control = robot.controlWeight() * controlSq;
    if (unstable) {
      // MuJoCo has put the robot back at qpos0, so its "move" means nothing.
      over = true;
      return new StepResult(observe(), -control, true, false);
    }
    double reward = kind.taskReward(target, x0, qpos[0], qpos[1], dt)
        - control - robot.contactWeight() * contactSq + robot.survivalBonus();
    boolean terminated = !robot.healthy(qpos);
    boolean truncated = !terminated && steps >= horizon;
    over = terminated || truncated;
    return new StepResult(observe(), reward, terminated, truncated);
  }

  /** Frees the simulation. Calling it again does nothing. */
  @Override
  public void close() {
    sim.close();
  }

  private void read() {
    sim.qpos(qpos);
    sim.qvel(qvel);
    if (robot.usesContactForces()) {
      sim.cfrcExt(cfrc);
    }
  }

  private double[] observe() {
    double[] obs = new double[obsSize];
    int n = qpos.length - hidden;
    System.arraycopy(qpos, hidden, obs, 0, n);
    System.arraycopy(qvel, 0, obs, n, qvel.length);
    if (robot.usesContactForces()) {
      int o = n + qvel.length;
      for (int i = 0; i < cfrc.length; i++) {
        obs[o + i] = Math.max(-1, Math.min(1, cfrc[i]));
      }
    }
    return obs;
  }

  /** Dropped contacts or constraints would silently change the physics: fail instead. */
  private void checkBuffers() {
    int contacts = sim.warningCount(MjWarning.CONTACTFULL);
    int rows = sim.warningCount(MjWarning.CNSTRFULL);
    if (contacts + rows > 0) {
      throw new IllegalStateException("MuJoCo ran out of " + (contacts > 0 ? "contacts (raise nconmax" : "constraint rows (raise njmax")
          + " in <size> of " + model.source() + ")");
    }
  }

  private static boolean finite(double[] x) {
    for (double v : x) {
      if (!Double.isFinite(v)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return "LocomotionEnv[" + kind.specName() + ", target " + Arrays.toString(target) + "]";
  }
}
