/**
 * A small binding to the MuJoCo 2.2.2 physics engine through JNA: load an MJCF model
 * ({@link io.maml4j.mujoco.MjModel}), simulate it ({@link io.maml4j.mujoco.MjSim}, one per
 * thread) and read state without copying whole structs.
 *
 * <p>Struct fields are read at fixed byte offsets ({@link io.maml4j.mujoco.MjOffsets}) that are
 * specific to MuJoCo 2.2.2, so any other version is refused. The native library is optional:
 * {@link io.maml4j.mujoco.MuJoCo#isAvailable()} tells whether it is installed, and nothing outside
 * this package loads it.
 */
package io.maml4j.mujoco;
