package io.maml4j.env;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One task T drawn from p(T), as a plain immutable value: named parameters such as a goal
 * position or a target velocity. Values are JSON-like: numbers, strings, booleans and lists of
 * numbers, so a task can also travel to a remote environment as creation arguments.
 */
public record Task(Map<String, Object> params) {
  public Task {
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : params.entrySet()) {
      Object v = e.getValue();
      if (v instanceof double[] d) {
        v = java.util.Arrays.stream(d).boxed().toList();
      } else if (v instanceof List<?> l) {
        v = List.copyOf(l);
      } else if (!(v instanceof Number || v instanceof String || v instanceof Boolean)) {
        throw new IllegalArgumentException("task parameter '" + e.getKey()
            + "' must be a number, string, boolean or list of numbers, got " + v);
      }
      copy.put(e.getKey(), v);
    }
    params = java.util.Collections.unmodifiableMap(copy);
  }

  /** A numeric parameter. */
  public double number(String key) {
    Object v = params.get(key);
    if (!(v instanceof Number n)) {
      throw new IllegalArgumentException("task has no numeric parameter '" + key + "': " + params);
    }
    return n.doubleValue();
  }

  /** A list-of-numbers parameter. */
  public double[] vector(String key) {
    Object v = params.get(key);
    if (!(v instanceof List<?> l)) {
      throw new IllegalArgumentException("task has no vector parameter '" + key + "': " + params);
    }
    double[] out = new double[l.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = ((Number) l.get(i)).doubleValue();
    }
    return out;
  }
}
