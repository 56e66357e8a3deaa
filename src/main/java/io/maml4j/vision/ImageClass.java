package io.maml4j.vision;

import java.util.List;

/**
 * One class of a few-shot data set: its examples as 8-bit grayscale images (0 = background, 255
 * = ink), all {@code height} x {@code width}, stored row-major one after another.
 *
 * @param name the class, for instance a character ("Armenian U+0531") or "Sandal"
 * @param group the alphabet or source the class belongs to; splits are made by group
 * @param split {@code train}, {@code valid} or {@code test}: which class set the class is in
 */
public record ImageClass(String name, String group, String split, int height, int width, byte[] pixels) {
  /** The class sets of a data set: meta-training, validation and meta-testing. */
  public static final List<String> SPLITS = List.of("train", "valid", "test");

  /** Validates the split, the image size and that the pixels are whole images. */
  public ImageClass {
    if (!SPLITS.contains(split)) {
      throw new IllegalArgumentException("split must be one of " + SPLITS + ", got " + split);
    }
    if (height < 1 || width < 1) {
      throw new IllegalArgumentException("images must be at least 1x1, got " + height + "x" + width);
    }
    if (pixels.length == 0 || pixels.length % (height * width) != 0) {
      throw new IllegalArgumentException("class " + name + " needs whole " + height + "x" + width + " images, got "
          + pixels.length + " pixels");
    }
    pixels = pixels.clone();
  }

  /** The number of examples. */
  public int size() {
    return pixels.length / (height * width);
  }

  /** Example {@code i} as intensities in [0, 1], ink high. */
  public double[] image(int i) {
    int n = height * width;
    double[] out = new double[n];
    for (int p = 0; p < n; p++) {
      out[p] = (pixels[i * n + p] & 0xff) / 255.0;
    }
    return out;
  }

  /** Example {@code i}'s raw bytes, a copy. */
  public byte[] bytes(int i) {
    int n = height * width;
    return java.util.Arrays.copyOfRange(pixels, i * n, (i + 1) * n);
  }

  @Override
  public byte[] pixels() {
    return pixels.clone();
  }
}
