package io.maml4j.mujoco;

/**
 * The kinds of warning MuJoCo 2.2.2 counts per simulation ({@code mjtWarning}), in header order.
 *
 * <p>MuJoCo reports each kind once per {@code mjData} and then only counts it, so the counters
 * ({@link MjSim#warningCount(MjWarning)}) are the reliable signal. {@code BADQPOS}, {@code
 * BADQVEL} and {@code BADQACC} mean the engine met a NaN, an infinity or a value above 1e10 and
 * reset the simulation to its default state by itself, after which the counter reads 1.
 */
public enum MjWarning {
  /** Near-singular inertia matrix. */
  INERTIA,
  /** Too many contacts for the contact list; the extra ones were dropped. */
  CONTACTFULL,
  /** Too many constraint rows; the extra ones were dropped. */
  CNSTRFULL,
  /** Too many visual geoms (rendering only). */
  VGEOMFULL,
  /** Bad number in qpos; the simulation was reset. */
  BADQPOS,
  /** Bad number in qvel; the simulation was reset. */
  BADQVEL,
  /** Bad number in qacc; the simulation was reset. */
  BADQACC,
  /** Bad number in ctrl; all actuators got zero control for that step. */
  BADCTRL
}
