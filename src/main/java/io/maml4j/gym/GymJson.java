package io.maml4j.gym;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.JsonWriter;
import io.maml4j.env.Box;
import io.maml4j.env.Discrete;
import io.maml4j.env.Space;
import io.maml4j.env.Task;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The JSON forms the Gym HTTP API gives to spaces, actions, observations and task kwargs, shared
 * by the client and the server. Decoding errors are {@link IllegalArgumentException}s whose
 * message says what was expected and what came; callers turn them into a 400 or a bad-reply error.
 */
final class GymJson {
  /**
   * The reference server sends infinite Box bounds as ±1e100 because strict JSON has no
   * Infinity; newer forks send ±Double.MAX_VALUE. Anything at least this large is read as infinite.
   */
  static final double INFINITE_BOUND = 1e100;

  private GymJson() {}

  // ---------------------------------------------------------------- spaces

  /** {"name":"Discrete","n":k} or {"name":"Box","shape":[...],"low":[flat],"high":[flat]}. */
  static JsonObject toJson(Space space) {
    JsonObject o = new JsonObject();
    if (space instanceof Discrete d) {
      o.addProperty("name", "Discrete");
      o.addProperty("n", d.n());
    } else {
      Box b = (Box) space;
      o.addProperty("name", "Box");
      JsonArray shape = new JsonArray();
      for (int s : b.shape()) {
        shape.add(s);
      }
      o.add("shape", shape);
      o.add("low", bounds(b.low()));
      o.add("high", bounds(b.high()));
    }
    return o;
  }

  private static JsonArray bounds(double[] x) {
    JsonArray a = new JsonArray(x.length);
    for (double v : x) {
      a.add(v == Double.POSITIVE_INFINITY ? INFINITE_BOUND : v == Double.NEGATIVE_INFINITY ? -INFINITE_BOUND : v);
    }
    return a;
  }

  /** Decodes a space; numbers may come as strings, as one Gymnasium fork sends them. */
  static Space space(JsonElement e) {
    if (e == null || !e.isJsonObject()) {
      throw new IllegalArgumentException("expected a space object, got " + e);
    }
    JsonObject o = e.getAsJsonObject();
    String name = o.has("name") && o.get("name").isJsonPrimitive() ? o.get("name").getAsString() : null;
    if ("Discrete".equals(name)) {
      return new Discrete(integer(o.get("n"), "Discrete n"));
    }
    if ("Box".equals(name)) {
      int[] shape = integers(o.get("shape"), "Box shape");
      double[] low = numbers(o.get("low"), "Box low");
      double[] high = numbers(o.get("high"), "Box high");
      for (int i = 0; i < low.length; i++) {
        low[i] = low[i] <= -INFINITE_BOUND ? Double.NEGATIVE_INFINITY : low[i];
      }
      for (int i = 0; i < high.length; i++) {
        high[i] = high[i] >= INFINITE_BOUND ? Double.POSITIVE_INFINITY : high[i];
      }
      return new Box(shape, low, high);
    }
    throw new IllegalArgumentException("unsupported space " + (name == null ? o : "'" + name + "'")
        + " (maml4j handles Box and Discrete)");
  }

  private static int[] integers(JsonElement e, String what) {
    if (e == null || !e.isJsonArray()) {
      throw new IllegalArgumentException(what + ": expected a list, got " + e);
    }
    JsonArray a = e.getAsJsonArray();
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = integer(a.get(i), what);
    }
    return out;
  }

  private static double[] numbers(JsonElement e, String what) {
    if (e == null || !e.isJsonArray()) {
      throw new IllegalArgumentException(what + ": expected a list, got " + e);
    }
    JsonArray a = e.getAsJsonArray();
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = number(a.get(i), what);
    }
    return out;
  }

  /** A number, or a string holding one. */
  static double number(JsonElement e, String what) {
    if (e != null && e.isJsonPrimitive()) {
      JsonPrimitive p = e.getAsJsonPrimitive();
      if (p.isNumber()) {
        return p.getAsDouble();
      }
      if (p.isString()) {
        try {
          return Double.parseDouble(p.getAsString().trim());
        } catch (NumberFormatException ex) {
          // reported below
        }
      }
    }
    throw new IllegalArgumentException(what + ": expected a number, got " + e);
  }

  static int integer(JsonElement e, String what) {
    double d = number(e, what);
    if (d != Math.rint(d) || Math.abs(d) > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(what + ": expected an integer, got " + e);
    }
    return (int) d;
  }

  // ---------------------------------------------------------------- elements of a space

  /** Writes a flat element in the form a Gym server expects: an int for Discrete, nested lists for Box. */
  static void write(JsonWriter w, Space space, double[] flat) throws IOException {
    if (space instanceof Discrete) {
      w.value((long) flat[0]);
      return;
    }
    int[] shape = ((Box) space).shape();
    if (shape.length == 0) {
      w.value(flat[0]);
    } else {
      writeNested(w, shape, 0, flat, 0);
    }
  }

  private static int writeNested(JsonWriter w, int[] shape, int depth, double[] flat, int at) throws IOException {
    w.beginArray();
    for (int i = 0; i < shape[depth]; i++) {
      if (depth == shape.length - 1) {
        w.value(flat[at++]);
      } else {
        at = writeNested(w, shape, depth + 1, flat, at);
      }
    }
    w.endArray();
    return at;
  }

  /**
   * Decodes an action sent to the server: an integer (or a one-element list) in [0, n) for
   * Discrete, nested lists of exactly the Box's shape for Box; every number must be finite.
   */
  static double[] action(JsonElement e, Space space) {
    if (space instanceof Discrete d) {
      JsonElement x = e;
      if (x != null && x.isJsonArray() && x.getAsJsonArray().size() == 1) {
        x = x.getAsJsonArray().get(0);
      }
      if (x == null || !x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
        throw new IllegalArgumentException("action must be an integer in [0, " + d.n() + "), got " + abbreviate(e));
      }
      double v = x.getAsDouble();
      if (v != Math.rint(v) || v < 0 || v >= d.n()) {
        throw new IllegalArgumentException("action must be an integer in [0, " + d.n() + "), got " + abbreviate(e));
      }
      return new double[] {v};
    }
    Box b = (Box) space;
    int[] shape = b.shape();
    double[] out = new double[b.flatSize()];
    String expected = "a list of shape " + Arrays.toString(shape) + " of finite numbers";
    if (shape.length == 0) {
      out[0] = finite(e, expected);
    } else {
      readNested(e, shape, 0, out, new int[1], expected);
    }
    return out;
  }

  private static void readNested(JsonElement e, int[] shape, int depth, double[] out, int[] at, String expected) {
    if (e == null || !e.isJsonArray() || e.getAsJsonArray().size() != shape[depth]) {
      throw new IllegalArgumentException("action must be " + expected + ", got " + abbreviate(e));
    }
    for (JsonElement x : e.getAsJsonArray()) {
      if (depth == shape.length - 1) {
        out[at[0]++] = finite(x, expected);
      } else {
        readNested(x, shape, depth + 1, out, at, expected);
      }
    }
  }

  private static double finite(JsonElement x, String expected) {
    if (x == null || !x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
      throw new IllegalArgumentException("action must be " + expected + ", got an entry " + abbreviate(x));
    }
    double v = x.getAsDouble();
    if (!Double.isFinite(v)) {
      throw new IllegalArgumentException("action must be " + expected + ", got an entry " + x);
    }
    return v;
  }

  /** A short rendering of untrusted JSON for an error message. */
  static String abbreviate(JsonElement e) {
    String s = String.valueOf(e);
    return s.length() <= 80 ? s : s.substring(0, 77) + "...";
  }

  /**
   * Reads any JSON value as an observation: nested lists of numbers (strings holding numbers and
   * booleans are accepted), flattened in row-major order with their shape. A non-finite entry
   * (Python's json writes NaN and Infinity) is refused: no policy can act on it.
   */
  static Observation readObservation(JsonReader r) throws IOException {
    Observation o = readAnyObservation(r);
    double[] v = o.values();
    for (int i = 0; i < v.length; i++) {
      if (!Double.isFinite(v[i])) {
        throw new IllegalArgumentException("observation entry " + i + " is " + v[i] + ", not a finite number");
      }
    }
    return o;
  }

  private static Observation readAnyObservation(JsonReader r) throws IOException {
    if (r.peek() == JsonToken.BEGIN_OBJECT) {
      return readPacked(r);
    }
    DoubleList values = new DoubleList();
    List<Integer> shape = new ArrayList<>();
    int[] leafDepth = {-1};
    readValue(r, values, shape, 0, leafDepth);
    int[] s = shape.stream().mapToInt(Integer::intValue).toArray();
    long n = 1;
    for (int x : s) {
      n *= x;
    }
    if (n != values.size) {
      throw new IllegalArgumentException("observation is a ragged list (shape " + Arrays.toString(s) + " but "
          + values.size + " numbers)");
    }
    return new Observation(values.toArray(), s);
  }

  /**
   * The newest Gymnasium fork (unrenormalizable/gymnasium-http-api) packs an observation as
   * {@code {"type": dtype, "data": base64(zlib(little-endian flat array))}}; its shape is lost, so
   * it reads as flat.
   */
  private static Observation readPacked(JsonReader r) throws IOException {
    String type = null;
    String data = null;
    r.beginObject();
    while (r.hasNext()) {
      switch (r.nextName()) {
        case "type" -> type = r.nextString();
        case "data" -> data = r.nextString();
        default -> r.skipValue();
      }
    }
    r.endObject();
    if (type == null || data == null) {
      throw new IllegalArgumentException("expected an observation as numbers, lists or {\"type\", \"data\"}");
    }
    byte[] raw;
    try (java.util.zip.InflaterInputStream in = new java.util.zip.InflaterInputStream(
        new java.io.ByteArrayInputStream(java.util.Base64.getDecoder().decode(data)))) {
      raw = in.readAllBytes();
    } catch (IOException | IllegalArgumentException e) {
      throw new IllegalArgumentException("packed observation data is not base64 zlib: " + e.getMessage());
    }
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(raw).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int width = switch (type) {
      case "float64", "int64" -> 8;
      case "float32", "int32" -> 4;
      case "int16" -> 2;
      case "uint8", "int8", "bool" -> 1;
      default -> throw new IllegalArgumentException("packed observation of unsupported type '" + type + "'");
    };
    if (raw.length % width != 0) {
      throw new IllegalArgumentException("packed " + type + " observation has " + raw.length + " bytes");
    }
    double[] out = new double[raw.length / width];
    for (int i = 0; i < out.length; i++) {
      out[i] = switch (type) {
        case "float64" -> b.getDouble();
        case "int64" -> b.getLong();
        case "float32" -> b.getFloat();
        case "int32" -> b.getInt();
        case "int16" -> b.getShort();
        case "uint8", "bool" -> b.get() & 0xff;
        default -> b.get();
      };
    }
    return new Observation(out, new int[] {out.length});
  }

  private static void readValue(JsonReader r, DoubleList values, List<Integer> shape, int depth, int[] leafDepth)
      throws IOException {
    JsonToken t = r.peek();
    boolean leaf = t == JsonToken.NUMBER || t == JsonToken.STRING || t == JsonToken.BOOLEAN;
    // Every number must sit at the same depth, or the lists are ragged.
    if (leaf && leafDepth[0] == -1) {
      leafDepth[0] = depth;
    } else if ((leaf && leafDepth[0] != depth) || (t == JsonToken.BEGIN_ARRAY && leafDepth[0] != -1
        && depth >= leafDepth[0])) {
      throw new IllegalArgumentException("observation is a ragged list");
    }
    switch (t) {
      case NUMBER -> values.add(r.nextDouble());
      case STRING -> {
        String s = r.nextString();
        try {
          values.add(Double.parseDouble(s.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("observation holds a non-number \"" + s + "\"");
        }
      }
      case BOOLEAN -> values.add(r.nextBoolean() ? 1 : 0);
      case BEGIN_ARRAY -> {
        if (shape.size() == depth) {
          shape.add(-1);
        } else if (shape.size() < depth) {
          throw new IllegalArgumentException("observation is a ragged list");
        }
        r.beginArray();
        int count = 0;
        while (r.hasNext()) {
          readValue(r, values, shape, depth + 1, leafDepth);
          count++;
        }
        r.endArray();
        if (shape.get(depth) == -1) {
          shape.set(depth, count);
        } else if (shape.get(depth) != count) {
          throw new IllegalArgumentException("observation is a ragged list (lengths " + shape.get(depth) + " and "
              + count + " at depth " + depth + ")");
        }
      }
      default -> throw new IllegalArgumentException("expected an observation (numbers or lists), got " + t);
    }
  }

  /** Reads a boolean, accepting 0/1 as some servers send numpy booleans that way. */
  static boolean readBoolean(JsonReader r) throws IOException {
    JsonToken t = r.peek();
    if (t == JsonToken.BOOLEAN) {
      return r.nextBoolean();
    }
    if (t == JsonToken.NUMBER) {
      return r.nextDouble() != 0;
    }
    if (t == JsonToken.NULL) {
      r.nextNull();
      return false;
    }
    throw new IllegalArgumentException("expected true or false, got " + t);
  }

  /** Reads a finite number (a string holding one is accepted); {@code what} names it in the error. */
  static double readFinite(JsonReader r, String what) throws IOException {
    double x;
    try {
      x = readNumber(r);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(what + ": " + e.getMessage(), e);
    }
    if (!Double.isFinite(x)) {
      throw new IllegalArgumentException(what + " is " + x + ", not a finite number");
    }
    return x;
  }

  /** Reads a number, accepting strings that hold one. */
  static double readNumber(JsonReader r) throws IOException {
    JsonToken t = r.peek();
    if (t == JsonToken.NUMBER || t == JsonToken.STRING) {
      String s = r.nextString();
      try {
        return Double.parseDouble(s.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("expected a number, got \"" + s + "\"");
      }
    }
    throw new IllegalArgumentException("expected a number, got " + t);
  }

  // ---------------------------------------------------------------- tasks as kwargs

  /** Writes a task's parameters as a kwargs object. */
  static void writeTask(JsonWriter w, Task task) throws IOException {
    w.beginObject();
    for (Map.Entry<String, Object> e : task.params().entrySet()) {
      w.name(e.getKey());
      writeValue(w, e.getValue());
    }
    w.endObject();
  }

  private static void writeValue(JsonWriter w, Object v) throws IOException {
    if (v instanceof Number n) {
      if (n instanceof Double || n instanceof Float) {
        w.value(n.doubleValue());
      } else {
        w.value(n);
      }
    } else if (v instanceof Boolean b) {
      w.value(b);
    } else if (v instanceof String s) {
      w.value(s);
    } else if (v instanceof List<?> l) {
      w.beginArray();
      for (Object x : l) {
        writeValue(w, x);
      }
      w.endArray();
    } else {
      throw new IllegalArgumentException("cannot send task value " + v);
    }
  }

  /**
   * Reads kwargs into a task: numbers become doubles, lists of numbers lists of doubles; strings
   * and booleans stay as they are. Anything else (null, objects, nested lists) is rejected.
   */
  static Task task(JsonObject kwargs) {
    Map<String, Object> params = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> e : kwargs.entrySet()) {
      params.put(e.getKey(), taskValue(e.getKey(), e.getValue()));
    }
    return new Task(params);
  }

  private static Object taskValue(String key, JsonElement v) {
    String expected = "kwargs '" + key + "' must be a number, string, boolean or list of numbers, got " + abbreviate(v);
    if (v.isJsonPrimitive()) {
      JsonPrimitive p = v.getAsJsonPrimitive();
      if (p.isNumber()) {
        return finiteKwarg(key, p.getAsDouble(), v);
      }
      return p.isBoolean() ? (Object) p.getAsBoolean() : p.getAsString();
    }
    if (v.isJsonArray()) {
      List<Double> out = new ArrayList<>();
      for (JsonElement x : v.getAsJsonArray()) {
        if (!x.isJsonPrimitive() || !x.getAsJsonPrimitive().isNumber()) {
          throw new IllegalArgumentException(expected);
        }
        out.add(finiteKwarg(key, x.getAsDouble(), v));
      }
      return out;
    }
    throw new IllegalArgumentException(expected);
  }

  /** A kwargs number; 1e309 parses to infinity, which no task can use and no reply could carry. */
  private static double finiteKwarg(String key, double x, JsonElement whole) {
    if (!Double.isFinite(x)) {
      throw new IllegalArgumentException("kwargs '" + key + "' must hold finite numbers, got " + abbreviate(whole));
    }
    return x;
  }

  /** A growable double array, to flatten observations without boxing. */
  static final class DoubleList {
    private double[] data = new double[8];
    int size;

    void add(double v) {
      if (size == data.length) {
        data = Arrays.copyOf(data, size * 2);
      }
      data[size++] = v;
    }

    double[] toArray() {
      return Arrays.copyOf(data, size);
    }
  }
}
