package io.maml4j.train;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.optim.Adam;
import io.maml4j.policy.Params;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The Adam state of a run, {@code optimizer.json} beside its checkpoint, rewritten atomically
 * after every iteration, so that a resumed Adam run continues exactly as the uninterrupted one.
 * It records the iteration it belongs to; a file that does not match the checkpoint is ignored.
 */
public final class OptimizerState implements TrainingListener {
  static final int FORMAT = 1;
  private final Path file;
  private final Adam adam;

  public OptimizerState(Path runDir, Adam adam) {
    this.file = runDir.resolve("optimizer.json");
    this.adam = adam;
  }

  @Override
  public void onIteration(IterationMetrics metrics, Params theta) {
    Adam.State s = adam.state();
    JsonObject o = new JsonObject();
    o.addProperty("format", FORMAT);
    o.addProperty("iteration", metrics.iteration() + 1);
    o.addProperty("steps", s.steps());
    o.add("m", arrays(s.m()));
    o.add("v", arrays(s.v()));
    io.maml4j.files.AtomicFiles.write(file, new GsonBuilder().create().toJson(o));
  }

  private static JsonObject arrays(Map<String, INDArray> a) {
    JsonObject o = new JsonObject();
    a.forEach((name, x) -> {
      JsonObject t = new JsonObject();
      JsonArray shape = new JsonArray();
      for (long d : x.shape()) {
        shape.add(d);
      }
      JsonArray data = new JsonArray();
      for (double d : x.dup('c').castTo(DataType.DOUBLE).data().asDouble()) {
        data.add(d);
      }
      t.add("shape", shape);
      t.add("data", data);
      o.add(name, t);
    });
    return o;
  }

  /**
   * Restores {@code adam} from {@code runDir/optimizer.json} if it belongs to {@code iteration};
   * returns whether it did.
   */
  public static boolean restore(Path runDir, Adam adam, int iteration, DataType type) {
    Path file = runDir.resolve("optimizer.json");
    if (!Files.exists(file)) {
      return false;
    }
    Fields f = Fields.read(file, io.maml4j.config.InputFiles.CHECKPOINT_LIMIT);
    int format = f.integer("format", -1, -1, Integer.MAX_VALUE);
    if (format != FORMAT) {
      throw ConfigException.field(f.source(), "format", String.valueOf(FORMAT), format);
    }
    int at = f.integer("iteration", -1, -1, Integer.MAX_VALUE);
    int steps = f.integer("steps", 0, 0, Integer.MAX_VALUE);
    JsonElement m = f.raw("m");
    JsonElement v = f.raw("v");
    f.finish();
    if (at != iteration) {
      return false;
    }
    try {
      adam.restore(new Adam.State(steps, read(m, type), read(v, type)));
    } catch (RuntimeException e) {
      throw new ConfigException(file + ": malformed optimizer state: " + e.getMessage(), e);
    }
    return true;
  }

  private static Map<String, INDArray> read(JsonElement e, DataType type) {
    Map<String, INDArray> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> x : e.getAsJsonObject().entrySet()) {
      JsonObject t = x.getValue().getAsJsonObject();
      JsonArray shapeJ = t.getAsJsonArray("shape");
      JsonArray dataJ = t.getAsJsonArray("data");
      long[] shape = new long[shapeJ.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shapeJ.get(i).getAsLong();
      }
      double[] data = new double[dataJ.size()];
      for (int i = 0; i < data.length; i++) {
        data[i] = dataJ.get(i).getAsDouble();
      }
      out.put(x.getKey(), Nd4j.create(data, shape, DataType.DOUBLE).castTo(type));
    }
    return out;
  }
}
