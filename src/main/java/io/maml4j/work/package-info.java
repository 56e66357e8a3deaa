/**
 * Per-task units of work and the executors that run them. A meta-iteration is a set of
 * {@link io.maml4j.meta.TaskWork}s, one per task, each a pure function of (the run, θ or a
 * direction, the seed, the iteration, the task index): a {@link io.maml4j.work.UnitFactory} makes
 * them, a {@link io.maml4j.work.BatchCollector} samples each task's data, and a
 * {@link io.maml4j.work.TaskExecutor} (threads in this process, or a cluster) keeps each task's
 * state where it was made for the whole iteration while the meta-step sends requests and reduces
 * the replies in task order.
 */
package io.maml4j.work;
