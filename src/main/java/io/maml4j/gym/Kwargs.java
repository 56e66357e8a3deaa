package io.maml4j.gym;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.stream.JsonWriter;
import io.maml4j.env.Task;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;

/**
 * A task's parameters in the form the Gym HTTP API's {@code kwargs} carries them, for code outside
 * this package that must know whether a task survives the trip to a server (the environment
 * contract check).
 */
public final class Kwargs {
  private Kwargs() {}

  /** The task's parameters as the JSON object a create request sends. */
  public static String toJson(Task task) {
    StringWriter out = new StringWriter();
    try (JsonWriter w = new JsonWriter(out)) {
      GymJson.writeTask(w, task);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /** The task a server reads from a create request's kwargs object. */
  public static Task fromJson(String json) {
    JsonObject obj = JsonParser.parseString(json).getAsJsonObject();
    return GymJson.task(obj);
  }
}
