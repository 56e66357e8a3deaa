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
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** Writes atomically: a reader sees the old file or the new one, never a partial one. */
  public void save(Path file) {
    writeAtomically(file, new GsonBuilder().create().toJson(toJson()));
  }

  /** Reads a checkpoint, naming the file and field of anything wrong with it. */
  public static Checkpoint load(Path file, DataType type) {
    Fields f = Fields.read(file);
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
          shape[i] = shapeJ.get(i).getAsLong();
          n *= shape[i];
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
          | NumberFormatException ex) {
        throw ConfigException.field(f.source(), where, "{\"shape\": [..], \"data\": [..]}", "a malformed entry");
      }
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      m.put(names.get(i), Tensor.variable(values.get(i).value()));
    }
    return new Checkpoint(spec, new Params(m), iteration, envSteps);
  }

  private static final java.security.SecureRandom TMP_NAMES = new java.security.SecureRandom();

  /** Writes text to a temporary sibling, syncs it, and renames it over {@code file}. */
  public static void writeAtomically(Path file, String text) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      // Not Files.createTempFile: its files are mode 0600, which the rename would pass on to every
      // checkpoint and metrics file. A plain create gets the user's umask, like any other output.
      Path tmp = dir.resolve("." + file.getFileName() + "." + Long.toUnsignedString(TMP_NAMES.nextLong(), 36) + ".tmp");
      try {
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
          ch.write(java.nio.ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
          ch.force(true);
        }
        try {
          Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
        }
      } finally {
        Files.deleteIfExists(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
