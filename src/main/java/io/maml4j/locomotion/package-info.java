/**
 * The MAML paper's locomotion task distributions on MuJoCo physics (Finn et al. 2017, Section
 * 5.3): a planar half cheetah and a quadruped ant asked to run at a sampled velocity, in a sampled
 * direction or (ant) to a sampled goal position.
 *
 * <p>{@link io.maml4j.locomotion.LocomotionTasks} is the {@link io.maml4j.env.TaskDistribution};
 * its environments ({@link io.maml4j.locomotion.LocomotionEnv}) each own one MuJoCo simulation of a
 * model shared by all of them, and its vector environments step those simulations on several
 * threads. {@link io.maml4j.locomotion.Locomotion#register()} adds the five specs {@code
 * half-cheetah-vel}, {@code half-cheetah-dir}, {@code ant-vel}, {@code ant-dir} and {@code
 * ant-goal} to {@link io.maml4j.envs.EnvRegistry}. Rewards follow tristandeleu/pytorch-maml-rl
 * ({@code maml_rl/envs/mujoco/half_cheetah.py} and {@code ant.py}), itself adapted from
 * cbfinn/maml_rl; each class says where it departs from them.
 */
package io.maml4j.locomotion;
