package io.maml4j.policy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.maml4j.config.Fields;
import java.util.Arrays;
import java.util.List;

/**
 * What a policy is, as stored in {@code policies/*.json} and beside every trained policy.
 *
 * @param type {@code gaussian-mlp} for Box actions or {@code categorical-mlp} for Discrete ones;
 *     {@code deterministic-mlp} for a regression model f_θ(x) (Box actions, trained with the MSE)
 * @param hiddenSizes hidden layer widths (default 64, 64)
 * @param nonlinearity {@code tanh} or {@code relu}
 * @param initStd initial standard deviation of the Gaussian (log-std is learned; default 1)
 * @param minStd floor of the standard deviation (default 1e-6)
 * @param conv the network of a {@code conv-classifier} (an image classifier for Discrete
 *     actions, trained with the cross-entropy); {@link ConvSpec#PAPER} and unused for the MLPs
 */
public record PolicySpec(String type, int[] hiddenSizes, String nonlinearity, double initStd, double minStd,
    ConvSpec conv) {
  public static final List<String> TYPES = List.of("gaussian-mlp", "categorical-mlp", "deterministic-mlp",
      "conv-classifier");
  public static final List<String> NONLINEARITIES = List.of("tanh", "relu");
  /**
   * The most parameters a policy may have: far above any MAML network (64-64 has a few thousand),
   * and low enough that every tensor indexes with an int and a checkpoint stays within the size
   * checkpoints may have when read back.
   */
  public static final long MAX_PARAMETERS = 10_000_000L;

  /** An MLP policy (or a conv-classifier with the paper's network). */
  public PolicySpec(String type, int[] hiddenSizes, String nonlinearity, double initStd, double minStd) {
    this(type, hiddenSizes, nonlinearity, initStd, minStd, ConvSpec.PAPER);
  }

  /** A conv-classifier with the given network. */
  public static PolicySpec convClassifier(ConvSpec conv) {
    return new PolicySpec("conv-classifier", new int[0], "relu", 1.0, 1e-6, conv);
  }

  /** Validates every field, naming the value received. */
  public PolicySpec {
    java.util.Objects.requireNonNull(conv, "conv");
    if (!TYPES.contains(type)) {
      throw new IllegalArgumentException("policy type must be one of " + TYPES + ", got " + type);
    }
    if (!NONLINEARITIES.contains(nonlinearity)) {
      throw new IllegalArgumentException("nonlinearity must be one of " + NONLINEARITIES + ", got " + nonlinearity);
    }
    hiddenSizes = hiddenSizes.clone();
    for (int h : hiddenSizes) {
      if (h <= 0) {
        throw new IllegalArgumentException("hidden sizes must be greater than 0, got " + Arrays.toString(hiddenSizes));
      }
    }
    long hidden = parameterCount(hiddenSizes, 1, 1);
    if (hidden > MAX_PARAMETERS) {
      throw new IllegalArgumentException("hidden sizes " + Arrays.toString(hiddenSizes) + " make " + hidden
          + " parameters, more than the limit of " + MAX_PARAMETERS);
    }
    if (!(initStd > 0) || !(minStd > 0) || minStd > initStd) {
      throw new IllegalArgumentException("need 0 < min_std <= init_std, got " + minStd + " and " + initStd);
    }
  }

  /**
   * The number of weights and biases of the network from {@code inputs} through the hidden layers
   * to {@code outputs} (plus the Gaussian's log-std vector), without overflow.
   */
  public long parameterCount(long inputs, long outputs) {
    if (type.equals("conv-classifier")) {
      // The exact count needs the image shape, which the policy checks; here the inputs are taken
      // as one channel of a square image, the layout of every image set in maml4j.
      long side = (long) Math.ceil(Math.sqrt((double) inputs));
      return conv.parameterCount(1, side, side, outputs);
    }
    long n = parameterCount(hiddenSizes, inputs, outputs);
    long logStd = type.equals("gaussian-mlp") ? outputs : 0;
    return n > Long.MAX_VALUE - logStd ? Long.MAX_VALUE : n + logStd;
  }

  /**
   * Checks that the network for these input and output widths stays within {@link
   * #MAX_PARAMETERS}.
   *
   * @throws IllegalArgumentException naming the count and the limit
   */
  public void requireParameterCount(long inputs, long outputs) {
    long n = parameterCount(inputs, outputs);
    if (n > MAX_PARAMETERS) {
      String what = type.equals("conv-classifier") ? "conv blocks " + conv : "hidden sizes " + Arrays.toString(hiddenSizes);
      throw new IllegalArgumentException(what + " with " + inputs
          + " inputs and " + outputs + " outputs make " + n + " parameters, more than the limit of " + MAX_PARAMETERS);
    }
  }

  private static long parameterCount(int[] hidden, long inputs, long outputs) {
    long n = 0;
    long prev = inputs;
    try {
      for (int i = 0; i <= hidden.length; i++) {
        long next = i < hidden.length ? hidden[i] : outputs;
        n = Math.addExact(n, Math.addExact(Math.multiplyExact(prev, next), next));
        prev = next;
      }
    } catch (ArithmeticException overflow) {
      return Long.MAX_VALUE;
    }
    return n;
  }

  /** The reference implementations' default: Gaussian, 64-64 tanh, std 1. */
  public static PolicySpec defaultGaussian() {
    return new PolicySpec("gaussian-mlp", new int[] {64, 64}, "tanh", 1.0, 1e-6);
  }

  /** The default for discrete actions: categorical, 64-64 tanh. */
  public static PolicySpec defaultCategorical() {
    return new PolicySpec("categorical-mlp", new int[] {64, 64}, "tanh", 1.0, 1e-6);
  }

  @Override
  public int[] hiddenSizes() {
    return hiddenSizes.clone();
  }

  /** Reads a spec, with unknown fields and bad values reported against {@code f}'s source. */
  public static PolicySpec read(Fields f) {
    String type = f.choice("type", "gaussian-mlp", TYPES);
    if (type.equals("conv-classifier")) {
      ConvSpec conv = ConvSpec.read(f);
      f.finish();
      try {
        return convClassifier(conv);
      } catch (IllegalArgumentException e) {
        throw new io.maml4j.config.ConfigException(f.source() + ": " + e.getMessage());
      }
    }
    int[] hidden = f.integers("hidden_sizes", new int[] {64, 64}, 1, 1 << 16);
    String nl = f.choice("nonlinearity", "tanh", NONLINEARITIES);
    double initStd = f.positive("init_std", 1.0);
    double minStd = f.positive("min_std", 1e-6);
    f.finish();
    long count = parameterCount(hidden, 1, 1);
    if (count > MAX_PARAMETERS) {
      throw io.maml4j.config.ConfigException.field(f.source(), "hidden_sizes", "layers of at most " + MAX_PARAMETERS
          + " parameters in all", Arrays.toString(hidden) + " (" + count + " parameters)");
    }
    try {
      return new PolicySpec(type, hidden, nl, initStd, minStd);
    } catch (IllegalArgumentException e) {
      throw new io.maml4j.config.ConfigException(f.source() + ": " + e.getMessage());
    }
  }

  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("type", type);
    if (type.equals("conv-classifier")) {
      conv.write(o);
      return o;
    }
    JsonArray h = new JsonArray();
    for (int x : hiddenSizes) {
      h.add(x);
    }
    o.add("hidden_sizes", h);
    o.addProperty("nonlinearity", nonlinearity);
    o.addProperty("init_std", initStd);
    o.addProperty("min_std", minStd);
    return o;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicySpec p && type.equals(p.type) && Arrays.equals(hiddenSizes, p.hiddenSizes)
        && nonlinearity.equals(p.nonlinearity) && initStd == p.initStd && minStd == p.minStd && conv.equals(p.conv);
  }

  @Override
  public int hashCode() {
    return type.hashCode() * 31 + Arrays.hashCode(hiddenSizes);
  }

  @Override
  public String toString() {
    return toJson().toString();
  }
}
