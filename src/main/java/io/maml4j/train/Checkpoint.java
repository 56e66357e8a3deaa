package io.maml4j.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.maml4j.autodiff.Tensor;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.policy.Params;
import io.maml4j.policy.PolicySpec;
import io.maml4j.config.InputFiles;
import io.maml4j.files.AtomicFiles;
import io.maml4j.policy.Policy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * A meta-policy on disk: its spec, its parameters and how far training got. The same format
 * serves checkpoints and trained policies in {@code policies/}.
 *
 * @param iteration the number of meta-iterations completed
 */
public record Checkpoint(PolicySpec spec, Params params, int iteration, long envSteps) {
  static final int FORMAT = 1;

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("format", FORMAT);
    o.addProperty("iteration", iteration);
    o.addProperty("env_steps", envSteps);
    o.add("policy", spec.toJson());
    JsonObject ps = new JsonObject();
    for (String name : params.names()) {
      Tensor t = params.get(name);
      JsonObject p = new JsonObject();
      JsonArray shape = new JsonArray();
      for (long s : t.shape()) {
        shape.add(s);
      }
      p.add("shape", shape);
      JsonArray data = new JsonArray();
      for (double d : t.toDoubles()) {
        data.add(d);
      }
      p.add("data", data);
      ps.add(name, p);
    }
    o.add("params", ps);
    return o;
  }

  /**
   * Writes atomically with every byte checked: a reader sees the old file or the new one, never a
   * partial one.
   */
  public void save(Path file) {
    writeAtomically(file, new GsonBuilder().create().toJson(toJson()));
  }

  /** Reads a checkpoint, naming the file and field of anything wrong with it. */
  public static Checkpoint load(Path file, DataType type) {
    Fields f = Fields.read(file, InputFiles.CHECKPOINT_LIMIT);
    int format = f.integer("format", -1, -1, Integer.MAX_VALUE);
    if (format != FORMAT) {
      throw ConfigException.field(f.source(), "format", String.valueOf(FORMAT), format);
    }
    int iteration = f.integer("iteration", 0, 0, Integer.MAX_VALUE);
    long envSteps = f.longValue("env_steps", 0);
    PolicySpec spec = PolicySpec.read(f.object("policy"));
    JsonElement pe = f.raw("params");
    f.finish();
    if (!pe.isJsonObject()) {
      throw ConfigException.field(f.source(), "params", "an object of named tensors", "something else");
    }
    List<String> names = new ArrayList<>();
    List<Tensor> values = new ArrayList<>();
    for (Map.Entry<String, JsonElement> e : pe.getAsJsonObject().entrySet()) {
      String where = "params." + e.getKey();
      try {
        JsonObject p = e.getValue().getAsJsonObject();
        JsonArray shapeJ = p.getAsJsonArray("shape");
        JsonArray dataJ = p.getAsJsonArray("data");
        long[] shape = new long[shapeJ.size()];
        long n = 1;
        for (int i = 0; i < shape.length; i++) {
          JsonElement d = shapeJ.get(i);
          if (!d.isJsonPrimitive() || !d.getAsJsonPrimitive().isNumber() || d.getAsDouble() != Math.rint(d.getAsDouble())
              || d.getAsDouble() < 1 || d.getAsDouble() > PolicySpec.MAX_PARAMETERS) {
            throw ConfigException.field(f.source(), where + ".shape", "a list of positive integers", shapeJ);
          }
          shape[i] = d.getAsLong();
          n *= shape[i];
          if (n > PolicySpec.MAX_PARAMETERS) {
            throw ConfigException.field(f.source(), where + ".shape", "at most " + PolicySpec.MAX_PARAMETERS
                + " numbers", shapeJ);
          }
        }
        if (shape.length == 0) {
          throw ConfigException.field(f.source(), where + ".shape", "a list of positive integers", shapeJ);
        }
        if (dataJ.size() != n) {
          throw ConfigException.field(f.source(), where + ".data", n + " numbers for shape " + shapeJ, dataJ.size() + " numbers");
        }
        double[] data = new double[(int) n];
        for (int i = 0; i < data.length; i++) {
          data[i] = dataJ.get(i).getAsDouble();
          if (!Double.isFinite(data[i])) {
            throw ConfigException.field(f.source(), where + ".data", "finite numbers", dataJ.get(i));
          }
        }
        names.add(e.getKey());
        values.add(Tensor.of(data, type, shape));
      } catch (IllegalStateException | UnsupportedOperationException | NullPointerException | ClassCastException
          | NumberFormatException | IndexOutOfBoundsException ex) {
        throw ConfigException.field(f.source(), where, "{\"shape\": [..], \"data\": [..]}", "a malformed entry");
      }
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      m.put(names.get(i), Tensor.variable(values.get(i).value()));
    }
    return new Checkpoint(spec, new Params(m), iteration, envSteps);
  }

  /**
   * Writes text atomically with every byte checked: a reader sees the old file or the new one.
   * The same as {@link AtomicFiles#write(Path, String)}, kept for the callers that know it here.
   *
   * @throws io.maml4j.files.FileWriteException one line; the old file is unchanged
   */
  public static void writeAtomically(Path file, String text) {
    AtomicFiles.write(file, text);
  }

  /**
   * Checks that these parameters are exactly the ones {@code policy} expects: the same names,
   * the same shapes (finiteness is checked when reading).
   *
   * @param file the file they were read from, for the message
   * @throws ConfigException one line naming the file and the parameter
   */
  public void requireParamsOf(Policy policy, Path file) {
    Params expected = policy.init(new SplittableRandom(0), DataType.DOUBLE);
    for (String n : expected.names()) {
      if (!params.tensors().containsKey(n)) {
        throw ConfigException.field(file.toString(), "params", "a parameter '" + n + "' of shape "
            + Arrays.toString(expected.get(n).shape()) + " (the policy's parameters are " + expected.names() + ")",
            "none");
      }
      long[] want = expected.get(n).shape();
      long[] got = params.get(n).shape();
      if (!Arrays.equals(want, got)) {
        throw ConfigException.field(file.toString(), "params." + n + ".shape", Arrays.toString(want)
            + " for the policy " + spec + " on " + policy.observationSpace() + " -> " + policy.actionSpace(),
            Arrays.toString(got));
      }
    }
    for (String n : params.names()) {
      if (!expected.tensors().containsKey(n)) {
        throw ConfigException.field(file.toString(), "params." + n, "only the policy's parameters "
            + expected.names(), "an extra parameter '" + n + "'");
      }
    }
  }
}
