package io.maml4j.eval;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.maml4j.train.Checkpoint;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writes an evaluation's results as JSON: the protocol, the sources and every task's returns. */
public final class Report {
  private Report() {}

  /**
   * @param protocol the protocol as the family describes it ({@link EvalConfig#toJson} for the
   *     policy-gradient one; the classification protocol has no episodes, discount or halved later
   *     steps)
   * @param sources where each curve's starting parameters came from, by label
   */
  public static JsonObject toJson(String env, JsonObject protocol, List<Curve> curves, Map<String, String> sources) {
    JsonObject o = new JsonObject();
    o.addProperty("env", env);
    o.add("protocol", protocol);
    JsonArray methods = new JsonArray();
    for (Curve c : curves) {
      JsonObject m = c.toJson();
      m.addProperty("source", sources.getOrDefault(c.label(), ""));
      methods.add(m);
    }
    o.add("methods", methods);
    return o;
  }

  public static void write(Path file, JsonObject report) {
    Checkpoint.writeAtomically(file, new GsonBuilder().setPrettyPrinting().serializeSpecialFloatingPointValues()
        .create().toJson(report) + "\n");
  }
}
