package io.maml4j.policy;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.maml4j.config.Fields;
import java.util.Arrays;
import java.util.List;

/**
 * The architecture of a {@code conv-classifier}: blocks of a KxK convolution, optional batch
 * normalisation, ReLU and a downsampling step, then a linear layer to the class logits.
 *
 * <p>The default is the MAML paper's network for Omniglot and MiniImagenet (Finn et al. 2017,
 * Section 5.2, after Vinyals et al. 2016): 4 blocks of 3x3 convolutions with 64 filters, batch
 * normalisation, ReLU and 2x2 max-pooling.
 *
 * @param filters output channels of each block (its length is the number of blocks)
 * @param kernel the square kernel size K (odd, so that "same" padding (K-1)/2 is symmetric)
 * @param pooling {@code max} (stride-1 convolution, then 2x2 max-pooling) or {@code stride}
 *     (stride-2 convolution, no pooling, as the paper's Omniglot code does)
 * @param batchNorm whether each block normalises with its batch's statistics
 */
public record ConvSpec(int[] filters, int kernel, String pooling, boolean batchNorm) {
  /** The downsampling steps a block may use. */
  public static final List<String> POOLINGS = List.of("max", "stride");

  /** The paper's network: 4 x [3x3 conv 64, batch norm, ReLU, 2x2 max-pool]. */
  public static final ConvSpec PAPER = new ConvSpec(new int[] {64, 64, 64, 64}, 3, "max", true);

  /** Validates the block widths, kernel and pooling, naming the value received. */
  public ConvSpec {
    filters = filters.clone();
    if (filters.length < 1) {
      throw new IllegalArgumentException("a conv-classifier needs at least 1 block, got 0");
    }
    for (int f : filters) {
      if (f < 1) {
        throw new IllegalArgumentException("filters must be at least 1 per block, got " + Arrays.toString(filters));
      }
    }
    if (kernel < 1 || kernel % 2 == 0) {
      throw new IllegalArgumentException("kernel must be an odd number >= 1, got " + kernel);
    }
    if (!POOLINGS.contains(pooling)) {
      throw new IllegalArgumentException("pooling must be one of " + POOLINGS + ", got " + pooling);
    }
  }

  @Override
  public int[] filters() {
    return filters.clone();
  }

  /** The number of blocks. */
  public int blocks() {
    return filters.length;
  }

  /** The height or width after the blocks, from an input of size {@code in} (0 if it vanishes). */
  public long outSize(long in) {
    long s = in;
    int pad = (kernel - 1) / 2;
    for (int b = 0; b < filters.length && s > 0; b++) {
      s = pooling.equals("max") ? s / 2 : (s + 2L * pad - kernel) / 2 + 1;
    }
    return Math.max(s, 0);
  }

  /**
   * Weights, biases and batch-norm scales and shifts for images of {@code channels} x {@code
   * height} x {@code width} and {@code classes} outputs, saturating at Long.MAX_VALUE.
   */
  public long parameterCount(long channels, long height, long width, long classes) {
    try {
      long n = 0;
      long in = channels;
      for (int f : filters) {
        n = Math.addExact(n, Math.addExact(Math.multiplyExact(Math.multiplyExact(in, f), (long) kernel * kernel), f));
        n = Math.addExact(n, batchNorm ? 2L * f : 0);
        in = f;
      }
      long features = Math.multiplyExact(in, Math.multiplyExact(outSize(height), outSize(width)));
      return Math.addExact(n, Math.addExact(Math.multiplyExact(features, classes), classes));
    } catch (ArithmeticException overflow) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * Reads {@code blocks} (default 4), {@code filters} (one width for every block, or one per
   * block; default [64]), {@code kernel} (default 3), {@code pooling} (default max) and {@code
   * batch_norm} (default true).
   */
  static ConvSpec read(Fields f) {
    int blocks = f.integer("blocks", PAPER.blocks(), 1, 16);
    int[] widths = f.integers("filters", new int[] {64}, 1, 4096);
    if (widths.length != 1 && widths.length != blocks) {
      throw io.maml4j.config.ConfigException.field(f.source(), "filters", "one width, or one per block (" + blocks
          + ")", Arrays.toString(widths));
    }
    int[] perBlock = new int[blocks];
    for (int b = 0; b < blocks; b++) {
      perBlock[b] = widths[widths.length == 1 ? 0 : b];
    }
    int kernel = f.integer("kernel", PAPER.kernel(), 1, 31);
    if (kernel % 2 == 0) {
      throw io.maml4j.config.ConfigException.field(f.source(), "kernel", "an odd integer", kernel);
    }
    String pooling = f.choice("pooling", PAPER.pooling(), POOLINGS);
    boolean bn = f.bool("batch_norm", PAPER.batchNorm());
    return new ConvSpec(perBlock, kernel, pooling, bn);
  }

  void write(JsonObject o) {
    o.addProperty("blocks", filters.length);
    JsonArray a = new JsonArray();
    for (int x : filters) {
      a.add(x);
    }
    o.add("filters", a);
    o.addProperty("kernel", kernel);
    o.addProperty("pooling", pooling);
    o.addProperty("batch_norm", batchNorm);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ConvSpec c && Arrays.equals(filters, c.filters) && kernel == c.kernel
        && pooling.equals(c.pooling) && batchNorm == c.batchNorm;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(filters) * 31 + kernel;
  }

  @Override
  public String toString() {
    JsonObject o = new JsonObject();
    write(o);
    return o.toString();
  }
}
