package io.maml4j.vision;

import io.maml4j.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Fashion-MNIST (Xiao, Rasul and Vollgraf 2017) from the IDX files of Debian's {@code
 * dataset-fashion-mnist} package: 28x28 pictures of 10 kinds of clothing, as a check of few-shot
 * learning on real pictures of objects.
 *
 * <p>With only 10 classes, the split is 5/5: meta-training draws its 5-way tasks from classes 0-4
 * (T-shirt/top, Trouser, Pullover, Dress, Coat), and test tasks all share the 5 held-out classes
 * (Sandal, Shirt, Sneaker, Bag, Ankle boot), differing in their examples and label order.
 * Validation uses the held-out classes' images of the training file, meta-testing those of the
 * test file, so the two never share an image.
 */
public final class FashionMnist {
  /** Where the Debian package puts the files. */
  public static final Path DEBIAN_DIR = Path.of("/usr/share/datasets/fashion-mnist");

  /** The label names, in label order. */
  public static final List<String> NAMES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
      "Shirt", "Sneaker", "Bag", "Ankle boot");

  private FashionMnist() {}

  /**
   * The classes of {@code dir}'s {@code train-*} and {@code t10k-*} IDX files (gzipped or not):
   * classes 0-4 of the training file as {@code train}, 5-9 of the training file as {@code valid}
   * and of the test file as {@code test}.
   *
   * @throws ConfigException naming the file when one is missing or malformed
   */
  public static List<ImageClass> load(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(dir + ": no Fashion-MNIST directory (install the Debian package "
          + "dataset-fashion-mnist, or set \"data\" to a directory with its IDX files)");
    }
    List<ImageClass> out = new ArrayList<>();
    for (String part : List.of("train", "t10k")) {
      Path images = file(dir, part + "-images-idx3-ubyte");
      Path labels = file(dir, part + "-labels-idx1-ubyte");
      Idx.Images im = Idx.images(images);
      byte[] lab = Idx.labels(labels);
      if (lab.length != im.count()) {
        throw new ConfigException(labels + ": " + lab.length + " labels for the " + im.count() + " images of "
            + images);
      }
      int n = im.rows() * im.cols();
      java.io.ByteArrayOutputStream[] per = new java.io.ByteArrayOutputStream[NAMES.size()];
      for (int c = 0; c < per.length; c++) {
        per[c] = new java.io.ByteArrayOutputStream();
      }
      for (int i = 0; i < lab.length; i++) {
        int c = lab[i] & 0xff;
        if (c >= NAMES.size()) {
          throw new ConfigException(labels + ": label " + c + " at index " + i + ", expected 0 to 9");
        }
        per[c].write(im.pixels(), i * n, n);
      }
      for (int c = 0; c < per.length; c++) {
        boolean heldOut = c >= 5;
        if (part.equals("t10k") && !heldOut) {
          continue;
        }
        String split = !heldOut ? "train" : part.equals("train") ? "valid" : "test";
        out.add(new ImageClass(NAMES.get(c), "fashion-mnist " + part, split, im.rows(), im.cols(),
            per[c].toByteArray()));
      }
    }
    return out;
  }

  private static Path file(Path dir, String base) {
    Path gz = dir.resolve(base + ".gz");
    return Files.exists(gz) ? gz : dir.resolve(base);
  }
}
