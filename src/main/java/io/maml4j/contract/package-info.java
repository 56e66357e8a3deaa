/**
 * The environment contract: what maml4j needs of a {@link io.maml4j.env.TaskDistribution} and its
 * environments, checked up front by {@code maml4j check-env} and by a JUnit base class that
 * users extend in their own projects (after Stable-Baselines3's {@code check_env}). The
 * per-value checks are {@link io.maml4j.env.EnvironmentChecks}, which the sampler runs on every
 * step as well.
 */
package io.maml4j.contract;
