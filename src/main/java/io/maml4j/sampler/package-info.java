/**
 * Collecting trajectories: K episodes per task for a batch of tasks, all stepped together as
 * one vectorised batch. The sampler produces {@link io.maml4j.sampler.Episodes}; it never
 * updates parameters.
 */
package io.maml4j.sampler;
