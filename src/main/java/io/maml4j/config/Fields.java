package io.maml4j.config;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Typed, strict access to one JSON object from a named source. Each getter marks its field as
 * known; {@link #finish()} then rejects any field nobody asked for, so typos fail loudly.
 */
public final class Fields {
  private final String source;
  private final JsonObject obj;
  private final Set<String> seen = new HashSet<>();

  public Fields(String source, JsonObject obj) {
    this.source = source;
    this.obj = obj;
  }

  /**
   * Reads a JSON object from a spec or config file (at most {@link InputFiles#SPEC_LIMIT}), with
   * one-line errors for missing, unreadable, oversized or malformed files.
   */
  public static Fields read(Path file) {
    return read(file, InputFiles.SPEC_LIMIT);
  }

  /** Reads a JSON object from a file of at most {@code limit} bytes. */
  public static Fields read(Path file, long limit) {
    return parse(file.toString(), InputFiles.read(file, limit));
  }

  /** Parses a JSON object from text attributed to {@code source}. */
  public static Fields parse(String source, String text) {
    try {
      JsonReader reader = new JsonReader(new StringReader(text));
      reader.setStrictness(Strictness.STRICT);
      JsonElement e = JsonParser.parseReader(reader);
      if (!e.isJsonObject()) {
        throw new ConfigException(source + ": expected a JSON object at the top level");
      }
      // parseReader stops after one value; anything but the end of the text after it is an error,
      // or "{...} {...}" would be read as its first object.
      if (!atEnd(reader)) {
        Matcher where = WHERE.matcher(reader.toString());
        throw new ConfigException(source + ": malformed JSON: unexpected content after the top-level object"
            + (where.find() ? " at line " + where.group(1) + " column " + where.group(2) : ""));
      }
      return new Fields(source, e.getAsJsonObject());
    } catch (JsonParseException | IllegalStateException e) {
      String msg = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      throw new ConfigException(source + ": " + describeMalformed(text, msg == null ? "" : msg));
    }
  }

  private static boolean atEnd(JsonReader reader) {
    try {
      return reader.peek() == com.google.gson.stream.JsonToken.END_DOCUMENT;
    } catch (java.io.IOException | IllegalStateException e) {
      return false;
    }
  }

  private static final Pattern WHERE = Pattern.compile(" at line (\\d+) column (\\d+) path (\\S+)");
  private static final Pattern NON_FINITE = Pattern.compile("[-+]?(NaN|Infinity)");

  /**
   * One line for Gson's parse error (which spans two lines and advises lenient parsing): the
   * field, and for NaN or Infinity, which JSON has no token for, that a finite number was expected.
   */
  static String describeMalformed(String text, String gsonMessage) {
    String first = gsonMessage.lines().findFirst().orElse("");
    Matcher m = WHERE.matcher(first);
    if (!m.find()) {
      return "malformed JSON: " + first;
    }
    int line = Integer.parseInt(m.group(1));
    int column = Integer.parseInt(m.group(2));
    String field = m.group(3).replaceFirst("^\\$\\.?", "");
    String token = tokenAt(text, line, column);
    String at = "line " + line + " column " + column + (field.isEmpty() ? "" : ", field '" + field + "'");
    if (NON_FINITE.matcher(token).matches()) {
      return (field.isEmpty() ? "" : "field '" + field + "': ") + "expected a finite number, got " + token
          + " (JSON has no NaN or Infinity; line " + line + " column " + column + ")";
    }
    String reason = first.substring(0, m.start());
    if (reason.startsWith("Use JsonReader.setStrictness")) {
      reason = token.isEmpty() ? "unexpected character" : "unexpected token '" + token + "'";
    }
    return "malformed JSON at " + at + ": " + reason;
  }

  /** The bare word (letters, digits, sign, dot) starting at a 1-based line and column of text. */
  private static String tokenAt(String text, int line, int column) {
    int pos = 0;
    for (int l = 1; l < line && pos >= 0; l++) {
      pos = text.indexOf('\n', pos);
      pos = pos < 0 ? -1 : pos + 1;
    }
    if (pos < 0) {
      return "";
    }
    int start = pos + column - 1;
    int end = start;
    while (end < text.length() && end - start < 40
        && (Character.isLetterOrDigit(text.charAt(end)) || "+-._".indexOf(text.charAt(end)) >= 0)) {
      end++;
    }
    return start >= 0 && start <= text.length() ? text.substring(start, end) : "";
  }

  public String source() {
    return source;
  }

  public boolean has(String field) {
    seen.add(field);
    return obj.has(field) && !obj.get(field).isJsonNull();
  }

  private JsonElement get(String field) {
    seen.add(field);
    JsonElement e = obj.get(field);
    if (e == null || e.isJsonNull()) {
      throw new ConfigException(source + ": missing required field '" + field + "'");
    }
    return e;
  }

  public String string(String field) {
    JsonElement e = get(field);
    if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isString())) {
      throw ConfigException.field(source, field, "a string", e);
    }
    return e.getAsString();
  }

  public String string(String field, String def) {
    return has(field) ? string(field) : def;
  }

  /** A string that must be one of {@code allowed}. */
  public String choice(String field, String def, List<String> allowed) {
    String v = string(field, def);
    if (!allowed.contains(v)) {
      throw ConfigException.field(source, field, "one of " + allowed, "\"" + v + "\"");
    }
    return v;
  }

  public double number(String field) {
    JsonElement e = get(field);
    if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber())) {
      throw ConfigException.field(source, field, "a number", e);
    }
    double v = e.getAsDouble();
    if (!Double.isFinite(v)) {
      throw ConfigException.field(source, field, "a finite number", e);
    }
    return v;
  }

  public double number(String field, double def) {
    return has(field) ? number(field) : def;
  }

  /** A number in [min, max]. */
  public double number(String field, double def, double min, double max) {
    double v = number(field, def);
    if (v < min || v > max) {
      throw ConfigException.field(source, field, "a number in [" + min + ", " + max + "]", v);
    }
    return v;
  }

  /** A positive number (> 0). */
  public double positive(String field, double def) {
    double v = number(field, def);
    if (!(v > 0)) {
      throw ConfigException.field(source, field, "a number greater than 0", v);
    }
    return v;
  }

  public int integer(String field, int def, int min, int max) {
    if (!has(field)) {
      return def;
    }
    JsonElement e = get(field);
    if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber())
        || e.getAsDouble() != Math.rint(e.getAsDouble())) {
      throw ConfigException.field(source, field, "an integer", e);
    }
    double d = e.getAsDouble();
    if (d < min || d > max) {
      throw ConfigException.field(source, field, "an integer in [" + min + ", " + max + "]", e);
    }
    return (int) d;
  }

  public long longValue(String field, long def) {
    if (!has(field)) {
      return def;
    }
    JsonElement e = get(field);
    if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber())) {
      throw ConfigException.field(source, field, "an integer", e);
    }
    try {
      return e.getAsJsonPrimitive().getAsBigDecimal().longValueExact();
    } catch (ArithmeticException ex) {
      throw ConfigException.field(source, field, "an integer", e);
    }
  }

  public boolean bool(String field, boolean def) {
    if (!has(field)) {
      return def;
    }
    JsonElement e = get(field);
    if (!(e.isJsonPrimitive() && e.getAsJsonPrimitive().isBoolean())) {
      throw ConfigException.field(source, field, "true or false", e);
    }
    return e.getAsBoolean();
  }

  /** A list of integers, each in [min, max]. */
  public int[] integers(String field, int[] def, int min, int max) {
    if (!has(field)) {
      return def.clone();
    }
    JsonElement e = get(field);
    if (!e.isJsonArray()) {
      throw ConfigException.field(source, field, "a list of integers", e);
    }
    JsonArray a = e.getAsJsonArray();
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) {
      JsonElement x = a.get(i);
      if (!(x.isJsonPrimitive() && ((JsonPrimitive) x).isNumber()) || x.getAsDouble() != Math.rint(x.getAsDouble())
          || x.getAsDouble() < min || x.getAsDouble() > max) {
        throw ConfigException.field(source, field, "a list of integers in [" + min + ", " + max + "]", e);
      }
      out[i] = x.getAsInt();
    }
    return out;
  }

  /** A nested object, itself strict. */
  public Fields object(String field) {
    JsonElement e = get(field);
    if (!e.isJsonObject()) {
      throw ConfigException.field(source, field, "an object", e);
    }
    return new Fields(source + " (in '" + field + "')", e.getAsJsonObject());
  }

  /** The raw JSON of a field, for pass-through values such as remote creation arguments. */
  public JsonElement raw(String field) {
    return get(field);
  }

  /** Rejects fields that no getter asked for. */
  public void finish() {
    Set<String> unknown = new LinkedHashSet<>(obj.keySet());
    unknown.removeAll(seen);
    if (!unknown.isEmpty()) {
      throw new ConfigException(source + ": unknown field '" + unknown.iterator().next()
          + "' (known fields: " + String.join(", ", new java.util.TreeSet<>(seen)) + ")");
    }
  }
}
