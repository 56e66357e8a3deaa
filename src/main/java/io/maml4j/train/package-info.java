/**
 * The meta-training loop (Finn et al. 2017, Algorithm 3): sample tasks, sample pre-adaptation
 * episodes, adapt, sample post-adaptation episodes, meta-update. Every side effect (progress,
 * metrics files, checkpoints) goes through {@link io.maml4j.train.TrainingListener}s so the loop
 * itself does no I/O. A run is assembled once ({@link io.maml4j.train.Run}) from the environment
 * spec, the policy spec, a config file and command-line overrides into a {@link
 * io.maml4j.train.RunConfig}, which its {@code config.json} records whole.
 */
package io.maml4j.train;
