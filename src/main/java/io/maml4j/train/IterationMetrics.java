package io.maml4j.train;

import com.google.gson.JsonObject;

/**
 * One meta-iteration's figures: one line of {@code metrics.jsonl}.
 *
 * @param preReturn mean episode return before adaptation (sampled with θ)
 * @param postReturn mean episode return after adaptation (sampled with each θ'_i)
 * @param samplingSeconds wall time spent collecting both sets of episodes and their advantages
 * @param adaptationSeconds wall time of the inner step used for sampling
 * @param metaStepSeconds wall time of the meta-update
 */
public record IterationMetrics(int iteration, double preReturn, double postReturn, double lossBefore,
    double lossAfter, double kl, boolean accepted, int lineSearchSteps, double samplingSeconds,
    double adaptationSeconds, double metaStepSeconds, long envSteps, long totalEnvSteps) {

  public double totalSeconds() {
    return samplingSeconds + adaptationSeconds + metaStepSeconds;
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("iteration", iteration);
    o.addProperty("pre_return", preReturn);
    o.addProperty("post_return", postReturn);
    o.addProperty("loss_before", lossBefore);
    o.addProperty("loss_after", lossAfter);
    o.addProperty("kl", kl);
    o.addProperty("accepted", accepted);
    o.addProperty("line_search_steps", lineSearchSteps);
    o.addProperty("time_sampling", samplingSeconds);
    o.addProperty("time_adaptation", adaptationSeconds);
    o.addProperty("time_meta_step", metaStepSeconds);
    o.addProperty("env_steps", envSteps);
    o.addProperty("total_env_steps", totalEnvSteps);
    return o;
  }
}
