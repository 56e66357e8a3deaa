package io.maml4j.policy;

import io.maml4j.autodiff.Tensor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Named parameter tensors in a fixed order. Either shared (each tensor has its natural shape)
 * or per task (each tensor has an extra leading axis of size T, one slice per task).
 */
public record Params(Map<String, Tensor> tensors) {
  public Params {
    tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
  }

  /** Builds params from names and tensors in the same order. */
  public static Params of(List<String> names, List<Tensor> values) {
    if (names.size() != values.size()) {
      throw new IllegalArgumentException(names.size() + " names for " + values.size() + " tensors");
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (int i = 0; i < names.size(); i++) {
      m.put(names.get(i), values.get(i));
    }
    return new Params(m);
  }

  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("no parameter named '" + name + "', have " + tensors.keySet());
    }
    return t;
  }

  public List<String> names() {
    return new ArrayList<>(tensors.keySet());
  }

  public List<Tensor> list() {
    return new ArrayList<>(tensors.values());
  }

  /** Applies {@code f} to every tensor. */
  public Params map(Function<Tensor, Tensor> f) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    tensors.forEach((k, v) -> m.put(k, f.apply(v)));
    return new Params(m);
  }

  /** Combines two params with the same names tensor by tensor. */
  public Params zip(Params other, BiFunction<Tensor, Tensor, Tensor> f) {
    Map<String, Tensor> m = new LinkedHashMap<>();
    tensors.forEach((k, v) -> m.put(k, f.apply(v, other.get(k))));
    return new Params(m);
  }

  /** Every tensor as a leaf variable (same arrays), for differentiation. */
  public Params asVariables() {
    return map(t -> Tensor.variable(t.value()));
  }

  /** Every tensor cut off from its graph. */
  public Params detach() {
    return map(Tensor::detach);
  }

  /** Stacks shared params into per-task params by repeating them T times (differentiable). */
  public Params repeatPerTask(int tasks) {
    return map(t -> {
      long[] s = t.shape();
      long[] one = new long[s.length + 1];
      long[] many = new long[s.length + 1];
      one[0] = 1;
      many[0] = tasks;
      for (int i = 0; i < s.length; i++) {
        one[i + 1] = s[i];
        many[i + 1] = s[i];
      }
      return t.reshape(one).broadcastTo(many);
    });
  }

  /** Sum of elementwise products over all tensors. */
  public Tensor dot(Params other) {
    Tensor acc = null;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor d = e.getValue().dot(other.get(e.getKey()));
      acc = acc == null ? d : acc.add(d);
    }
    return acc;
  }

  /**
   * Every scalar in name order, as doubles: the form in which parameters, gradients and
   * directions travel between a meta-step and its per-task work. Exact for float32 and float64.
   */
  public double[] flat() {
    double[] out = new double[Math.toIntExact(size())];
    int at = 0;
    for (Tensor t : tensors.values()) {
      double[] v = t.toDoubles();
      System.arraycopy(v, 0, out, at, v.length);
      at += v.length;
    }
    return out;
  }

  /**
   * Every task's entries of parameters stacked per task ([tasks, ...] leading axis), each laid
   * out as {@link #flat()} lays out one task's parameters; with one task, {@link #flat()} itself
   * (the parameters may then be shared, without the leading axis).
   */
  public double[][] flatPerTask(int tasks) {
    if (tasks == 1) {
      return new double[][] {flat()};
    }
    double[] all = flat();
    double[][] out = new double[tasks][all.length / tasks];
    int at = 0;
    int base = 0;
    for (Tensor t : tensors.values()) {
      int size = Math.toIntExact(t.value().length());
      if (t.rank() == 0 || t.shape()[0] != tasks) {
        throw new IllegalArgumentException("parameters stacked per task need a leading axis of " + tasks + ", got "
            + java.util.Arrays.toString(t.shape()));
      }
      int each = size / tasks;
      for (int i = 0; i < tasks; i++) {
        System.arraycopy(all, base + i * each, out[i], at, each);
      }
      at += each;
      base += size;
    }
    return out;
  }

  /**
   * Params with this one's names and shapes holding {@code values} (as {@link #flat()} lays them
   * out) as constants of {@code type}.
   *
   * @throws IllegalArgumentException if the number of values differs from {@link #size()}
   */
  public Params withFlat(double[] values, org.nd4j.linalg.api.buffer.DataType type) {
    if (values.length != size()) {
      throw new IllegalArgumentException("expected " + size() + " parameter values, got " + values.length);
    }
    Map<String, Tensor> m = new LinkedHashMap<>();
    int at = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      long[] shape = e.getValue().shape();
      int n = Math.toIntExact(e.getValue().value().length());
      m.put(e.getKey(), Tensor.of(java.util.Arrays.copyOfRange(values, at, at + n), type, shape));
      at += n;
    }
    return new Params(m);
  }

  /**
   * Stacks one-task params ([1, ...] each, as one task's work holds them) into per-task params
   * ([T, ...]), in list order, as constants of their type.
   */
  public static Params stack(List<Params> perTask) {
    Params first = perTask.get(0);
    Map<String, Tensor> m = new LinkedHashMap<>();
    for (String n : first.names()) {
      long[] s = first.get(n).shape();
      if (s.length == 0 || s[0] != 1) {
        throw new IllegalArgumentException("stack takes one-task params, '" + n + "' has shape " + java.util.Arrays.toString(s));
      }
      int each = Math.toIntExact(first.get(n).value().length());
      double[] all = new double[each * perTask.size()];
      for (int i = 0; i < perTask.size(); i++) {
        double[] v = perTask.get(i).get(n).toDoubles();
        if (v.length != each) {
          throw new IllegalArgumentException("task " + i + ": '" + n + "' has " + v.length + " values, expected " + each);
        }
        System.arraycopy(v, 0, all, i * each, each);
      }
      long[] shape = s.clone();
      shape[0] = perTask.size();
      m.put(n, Tensor.of(all, first.get(n).dataType(), shape));
    }
    return new Params(m);
  }

  /** Total number of scalars. */
  public long size() {
    long n = 0;
    for (Tensor t : tensors.values()) {
      n += t.value().length();
    }
    return n;
  }
}
