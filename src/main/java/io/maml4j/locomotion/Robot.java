package io.maml4j.locomotion;

/**
 * The two robots of the locomotion tasks and the task-independent parts of their reward: the
 * control and contact costs, the survival bonus and the healthy torso heights outside which an
 * episode terminates.
 *
 * <p>Constants are those of pytorch-maml-rl's {@code HalfCheetahVelEnv}/{@code HalfCheetahDirEnv}
 * (control cost 0.5 · 0.1 ||a||², nothing else, never terminates) and {@code AntVelEnv}/{@code
 * AntDirEnv}/{@code AntPosEnv} (control cost 0.5 · 0.01 ||a / s||² with s the half-width of the
 * control range, contact cost 0.5 · 0.001 ||clip(cfrc_ext, -1, 1)||², survival bonus 0.05,
 * terminated unless the state is finite and the torso height is in [0.2, 1.0]); cbfinn/maml_rl's
 * {@code ant_env_rand*.py} use the same terms.
 */
public enum Robot {
  /** Planar cheetah: qpos = [rootx, rootz, rooty, 6 hinges], 6 actuators. */
  HALF_CHEETAH("half_cheetah.xml", 0.5 * 0.1, false, 0, 0,
      Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY),
  /** Quadruped: qpos = [x, y, z, quaternion, 8 hinges], 8 actuators. */
  ANT("ant.xml", 0.5 * 1e-2, true, 0.5 * 1e-3, 0.05, 0.2, 1.0);

  private final String modelFile;
  private final double controlWeight;
  private final boolean controlRelativeToRange;
  private final double contactWeight;
  private final double survivalBonus;
  private final double minHeight;
  private final double maxHeight;

  Robot(String modelFile, double controlWeight, boolean controlRelativeToRange, double contactWeight,
      double survivalBonus, double minHeight, double maxHeight) {
    this.modelFile = modelFile;
    this.controlWeight = controlWeight;
    this.controlRelativeToRange = controlRelativeToRange;
    this.contactWeight = contactWeight;
    this.survivalBonus = survivalBonus;
    this.minHeight = minHeight;
    this.maxHeight = maxHeight;
  }

  /** File name of the bundled MJCF model in {@code environments/mujoco/}. */
  public String modelFile() {
    return modelFile;
  }

  /** Weight w of the control cost w Σ c_i² (or w Σ (c_i / s_i)², see {@link #controlRelativeToRange()}). */
  public double controlWeight() {
    return controlWeight;
  }

  /** Whether each control is divided by its range's half-width s_i before squaring (the ant's rule). */
  public boolean controlRelativeToRange() {
    return controlRelativeToRange;
  }

  /** Weight of the contact cost on the clipped external forces; 0 means they are not read. */
  public double contactWeight() {
    return contactWeight;
  }

  /** Reward added on every step the robot is alive. */
  public double survivalBonus() {
    return survivalBonus;
  }

  /** Lowest healthy torso height qpos[2] of the ant; -infinity for the cheetah, which has no such limit. */
  public double minHeight() {
    return minHeight;
  }

  /** Highest healthy torso height; +infinity for the cheetah. */
  public double maxHeight() {
    return maxHeight;
  }

  /** Whether a finite state is healthy: the torso height qpos[2] is in [minHeight, maxHeight] (always for the cheetah). */
  public boolean healthy(double[] qpos) {
    return this == HALF_CHEETAH || (qpos[2] >= minHeight && qpos[2] <= maxHeight);
  }

  /** Whether the external forces are part of the reward and the observation. */
  public boolean usesContactForces() {
    return contactWeight > 0;
  }
}
