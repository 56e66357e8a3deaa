/**
 * The meta-training loop (Finn et al. 2017, Algorithm 3): sample tasks, sample pre-adaptation
 * episodes, adapt, sample post-adaptation episodes, meta-update. Every side effect (progress,
 * metrics files, checkpoints) goes through {@link io.maml4j.train.TrainingListener}s so the loop
 * itself does no I/O.
 */
package io.maml4j.train;
