package io.maml4j.mujoco;

import static io.maml4j.mujoco.MjOffsets.D_buffer;
import static io.maml4j.mujoco.MjOffsets.D_cfrc_ext;
import static io.maml4j.mujoco.MjOffsets.D_ctrl;
import static io.maml4j.mujoco.MjOffsets.D_maxuse_stack;
import static io.maml4j.mujoco.MjOffsets.D_nstack;
import static io.maml4j.mujoco.MjOffsets.D_qpos;
import static io.maml4j.mujoco.MjOffsets.D_qvel;
import static io.maml4j.mujoco.MjOffsets.D_time;
import static io.maml4j.mujoco.MjOffsets.D_warning;
import static io.maml4j.mujoco.MjOffsets.D_xpos;
import static io.maml4j.mujoco.MjOffsets.D_xquat;
import static io.maml4j.mujoco.MjOffsets.M_nstack;
import static io.maml4j.mujoco.MjOffsets.SIZEOF_mjWarningStat;
import static io.maml4j.mujoco.MjOffsets.WARN_number;

import com.sun.jna.Pointer;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.util.Arrays;
import java.util.Objects;

/**
 * The mutable state of one simulation of an {@link MjModel} ({@code mjData}): reset it, set
 * controls, step it and read positions, velocities and contact forces.
 *
 * <p>Not thread-safe: use one simulation per thread (they may share the model). Arrays are read
 * through {@link DoubleBuffer} views of the native arrays, made once at construction, because
 * MuJoCo never moves them between {@code mj_makeData} and {@code mj_deleteData}.
 *
 * <p>Memory: each simulation holds MuJoCo's stack ({@link MjModel#nstack()} doubles) plus its
 * main buffer, sized by the model's {@code njmax} and {@code nconmax}: 3.2 MB at MuJoCo's default
 * sizes, about 0.4 MB (half cheetah) and 0.65 MB (ant) resident with the bundled models' sizes;
 * the stack (0.8 MB reserved) is touched only as far as it is used.
 *
 * <p>After MuJoCo reports an error the native state cannot be trusted (MuJoCo carries on past the
 * error, e.g. with a stack allocation that overflowed), so the failing call throws {@link
 * MjException} and every later call throws {@link IllegalStateException}; close it and make a new
 * one.
 */
public final class MjSim implements AutoCloseable {
  private final MjModel model;
  private final Pointer m;
  private Pointer d;
  private String failure;
  private boolean released;
  // cfrc_ext is filled only by mj_rnePostConstraint, which mj_step skips; run it lazily, at most
  // once per forward pass, so simulations that never read contact forces do not pay for it.
  private boolean externalForcesStale = true;

  private final int nq;
  private final int nv;
  private final int nu;
  private final int nbody;
  private final DoubleBuffer qpos;
  private final DoubleBuffer qvel;
  private final DoubleBuffer ctrl;
  private final DoubleBuffer xpos;
  private final DoubleBuffer xquat;
  private final DoubleBuffer cfrcExt;

  /**
   * A new simulation in the model's default state, with positions, velocities and contacts
   * computed ({@code mj_forward}).
   *
   * @throws IllegalStateException if the model is closed
   * @throws MjException if MuJoCo fails, or the data layout does not match {@link MjOffsets}
   */
  public MjSim(MjModel model) {
    this.model = Objects.requireNonNull(model, "model");
    this.m = model.acquire();
    try {
      d = MjLib.mj_makeData(m);
      String error = MjLib.takeError();
      if (d == null || error != null) {
        throw new MjException("mj_makeData failed: " + (error != null ? error : "out of memory"));
      }
      nq = model.nq();
      nv = model.nv();
      nu = model.nu();
      nbody = model.nbody();
      checkLayout();
      qpos = view(D_qpos, nq);
      qvel = view(D_qvel, nv);
      ctrl = view(D_ctrl, nu);
      xpos = view(D_xpos, 3 * nbody);
      xquat = view(D_xquat, 4 * nbody);
      cfrcExt = view(D_cfrc_ext, 6 * nbody);
      checkDefaultPose();
      forward();
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /** The model this simulates. */
  public MjModel model() {
    return model;
  }

  /**
   * Returns to the model's default state ({@code mj_resetData}): qpos0, zero velocity, zero
   * control, time 0, cleared warnings and solver warm start; then recomputes derived quantities.
   */
  public void reset() {
    ensureUsable();
    MjLib.mj_resetData(m, d);
    afterCall("mj_resetData");
    forward();
  }

  /**
   * Recomputes everything derived from the state ({@code mj_forward}): body poses, contacts,
   * forces and accelerations. Needed after {@link #setQpos}/{@link #setQvel} before reading poses.
   */
  public void forward() {
    ensureUsable();
    externalForcesStale = true;
    MjLib.mj_forward(m, d);
    afterCall("mj_forward");
  }

  /** Sets qpos and qvel, then calls {@link #forward()}, like gym's {@code set_state}. */
  public void setState(double[] qpos, double[] qvel) {
    setQpos(qpos);
    setQvel(qvel);
    forward();
  }

  /** Writes qpos (length nq) without recomputing derived quantities. */
  public void setQpos(double[] values) {
    ensureUsable();
    qpos.put(0, checkLength(values, nq, "qpos", "nq"));
  }

  /** Writes qvel (length nv) without recomputing derived quantities. */
  public void setQvel(double[] values) {
    ensureUsable();
    qvel.put(0, checkLength(values, nv, "qvel", "nv"));
  }

  /**
   * Sets the controls (length nu) used by following steps. MuJoCo clamps them to the ctrlrange
   * of limited actuators; while any is NaN it applies zero to all actuators and counts {@link
   * MjWarning#BADCTRL}, leaving the stored values as they are.
   */
  public void setCtrl(double[] values) {
    ensureUsable();
    ctrl.put(0, checkLength(values, nu, "ctrl", "nu"));
  }

  /**
   * Advances the simulation by {@code frameSkip} time steps ({@code mj_step} each) with the
   * current controls.
   */
  public void step(int frameSkip) {
    if (frameSkip < 1) {
      throw new IllegalArgumentException("frameSkip must be at least 1, got " + frameSkip);
    }
    ensureUsable();
    externalForcesStale = true;
    for (int i = 0; i < frameSkip; i++) {
      MjLib.mj_step(m, d);
      afterCall("mj_step");
    }
  }

  /** Simulation time in seconds. */
  public double time() {
    ensureUsable();
    return d.getDouble(D_time);
  }

  /** A copy of the generalised coordinates. */
  public double[] qpos() {
    return qpos(new double[nq]);
  }

  /** Copies the generalised coordinates into {@code dst} (length at least nq) and returns it. */
  public double[] qpos(double[] dst) {
    ensureUsable();
    qpos.get(0, dst, 0, nq);
    return dst;
  }

  /** A copy of the generalised velocities. */
  public double[] qvel() {
    return qvel(new double[nv]);
  }

  /** Copies the generalised velocities into {@code dst} (length at least nv) and returns it. */
  public double[] qvel(double[] dst) {
    ensureUsable();
    qvel.get(0, dst, 0, nv);
    return dst;
  }

  /** A copy of the current controls. */
  public double[] ctrl() {
    ensureUsable();
    double[] dst = new double[nu];
    ctrl.get(0, dst, 0, nu);
    return dst;
  }

  /** World position [x, y, z] of a body's frame, as of the last step or forward. */
  public double[] bodyXpos(int body) {
    return bodyXpos(body, new double[3]);
  }

  /** Copies a body's world position into {@code dst} (length at least 3) and returns it. */
  public double[] bodyXpos(int body, double[] dst) {
    ensureUsable();
    xpos.get(3 * Objects.checkIndex(body, nbody), dst, 0, 3);
    return dst;
  }

  /** World orientation of a body's frame as a unit quaternion [w, x, y, z]. */
  public double[] bodyXquat(int body) {
    ensureUsable();
    double[] dst = new double[4];
    xquat.get(4 * Objects.checkIndex(body, nbody), dst, 0, 4);
    return dst;
  }

  /** A copy of the external (contact) forces on all bodies, nbody x 6, row-major. */
  public double[] cfrcExt() {
    return cfrcExt(new double[6 * nbody]);
  }

  /**
   * Copies the external forces into {@code dst} (length at least 6 nbody) and returns it. Row b
   * is body b's com-based wrench [torque; force] in world axes from contacts and applied forces
   * ({@code cfrc_ext}), as of the last forward pass (the one inside the last step).
   */
  public double[] cfrcExt(double[] dst) {
    ensureUsable();
    if (externalForcesStale) {
      MjLib.mj_rnePostConstraint(m, d);
      afterCall("mj_rnePostConstraint");
      externalForcesStale = false;
    }
    cfrcExt.get(0, dst, 0, 6 * nbody);
    return dst;
  }

  /** How often MuJoCo raised this warning since the last reset. */
  public int warningCount(MjWarning kind) {
    ensureUsable();
    return d.getInt(D_warning + (long) kind.ordinal() * SIZEOF_mjWarningStat + WARN_number);
  }

  /**
   * The most of MuJoCo's stack this simulation has used so far, in mjtNums. Compare with {@link
   * MjModel#nstack()}: overflowing the stack is a MuJoCo error.
   */
  public int maxStackUse() {
    ensureUsable();
    return d.getInt(D_maxuse_stack);
  }

  /** Frees the native data. Calling it again does nothing. */
  @Override
  public void close() {
    if (released) {
      return;
    }
    released = true;
    if (d != null) {
      MjLib.mj_deleteData(d);
      d = null;
    }
    model.release();
  }

  private void ensureUsable() {
    if (d == null) {
      throw new IllegalStateException("MjSim is closed");
    }
    if (failure != null) {
      throw new IllegalStateException("MjSim is unusable after a MuJoCo error (" + failure
          + "); close it and make a new one");
    }
  }

  private void afterCall(String function) {
    String error = MjLib.takeError();
    if (error != null) {
      failure = error;
      throw new MjException("MuJoCo error in " + function + ": " + error);
    }
  }

  private DoubleBuffer view(int field, int length) {
    return d.getPointer(field).getByteBuffer(0, 8L * length)
        .order(ByteOrder.nativeOrder()).asDoubleBuffer();
  }

  /** Checks that need no compiler and fail loudly if mjData's layout is not MjOffsets'. */
  private void checkLayout() {
    int dataStack = d.getInt(D_nstack);
    int modelStack = m.getInt(M_nstack);
    if (dataStack != modelStack) {
      throw new MjException("mjData layout does not match MuJoCo 2.2.2: mjData.nstack=" + dataStack
          + " but mjModel.nstack=" + modelStack);
    }
    Pointer buffer = d.getPointer(D_buffer);
    Pointer qposAddress = d.getPointer(D_qpos);
    if (buffer == null || !buffer.equals(qposAddress)) {
      throw new MjException("mjData layout does not match MuJoCo 2.2.2: qpos (" + qposAddress
          + ") should be the start of the buffer (" + buffer + ")");
    }
  }

  /** mj_makeData resets the data, so qpos must now hold the model's default pose. */
  private void checkDefaultPose() {
    double[] actual = qpos();
    double[] expected = model.qpos0();
    if (!Arrays.equals(actual, expected)) {
      throw new MjException("mjData layout does not match MuJoCo 2.2.2: qpos after reset "
          + Arrays.toString(actual) + " differs from qpos0 " + Arrays.toString(expected));
    }
  }

  private static double[] checkLength(double[] values, int expected, String what, String size) {
    Objects.requireNonNull(values, what);
    if (values.length != expected) {
      throw new IllegalArgumentException(what + " must have " + size + " = " + expected
          + " values, got " + values.length);
    }
    return values;
  }
}
