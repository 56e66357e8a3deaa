/**
 * Policies that are functions of explicit parameters, so the same policy evaluates with the
 * meta-parameters θ or with task-adapted parameters θ'_i (Finn et al. 2017, Algorithm 3).
 * Parameters can be shared by all tasks or stacked per task along a leading axis. {@link
 * io.maml4j.policy.Curvatures} computes the MLP policies' Fisher and inner Hessian-vector products
 * from their structure rather than from the tape.
 */
package io.maml4j.policy;
