/**
 * The task abstraction of MAML (Finn et al. 2017, Section 2.1): a task is an MDP with its own
 * loss, initial-state distribution, transition model and horizon H; a {@link
 * io.maml4j.env.TaskDistribution} p(T) samples tasks as immutable values and makes fresh
 * {@link io.maml4j.env.Environment} instances from them. Supervised learning is the H = 1 case.
 */
package io.maml4j.env;
