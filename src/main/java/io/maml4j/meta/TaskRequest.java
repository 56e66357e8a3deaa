package io.maml4j.meta;

import java.io.Serializable;
import java.util.Objects;

/**
 * What a meta-step asks of every task's {@link TaskWork}: an operation of the meta-learner's and
 * one vector (θ, a direction or a candidate, flattened by {@link io.maml4j.policy.Params#flat()}).
 * Plain values, so the request can cross a network.
 *
 * <p>The first request of a meta-iteration carries θ: whoever owns a task samples its data with
 * it before answering.
 */
public record TaskRequest(String op, double[] vector) implements Serializable {
  public TaskRequest {
    Objects.requireNonNull(op, "op");
    vector = vector == null ? new double[0] : vector;
  }
}
