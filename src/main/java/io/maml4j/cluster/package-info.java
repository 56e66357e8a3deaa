/**
 * Cluster mode on Hazelcast: the per-task units of a meta-iteration ({@link io.maml4j.work}) run on
 * the members of a Hazelcast cluster instead of threads of this process, with the same numbers.
 *
 * <p>A {@link io.maml4j.cluster.Worker} is a member that serves units: it keeps the units of the
 * tasks it owns on its own dedicated threads for a whole meta-iteration (their ND4J arrays are
 * thread-confined). The driver ({@link io.maml4j.cluster.ClusterDriver}, a lite member) ships the
 * run's config once per run, then one job per member per round carrying the request (θ, a CG
 * direction, a line-search candidate), and reduces the per-task replies in task order, so which
 * member answers a task changes no number. A member lost or too slow mid-iteration has its tasks
 * re-opened elsewhere and the iteration's requests replayed (units are pure functions of their
 * inputs). Joining needs the cluster name and a shared secret (see {@link io.maml4j.cluster.Secrets}); the
 * traffic is not encrypted.
 */
package io.maml4j.cluster;
