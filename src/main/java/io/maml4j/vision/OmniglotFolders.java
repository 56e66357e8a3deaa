package io.maml4j.vision;

import io.maml4j.config.ConfigException;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Omniglot (Lake, Salakhutdinov and Tenenbaum 2015) in its standard folder layout, for a user who
 * has a copy: {@code images_background/<alphabet>/<character>/*.png} (30 alphabets, the
 * meta-training set) and {@code images_evaluation/<alphabet>/<character>/*.png} (20 alphabets,
 * the meta-test set), with black strokes on white, 105x105. Images are inverted (ink high) and
 * resized to {@code size} x {@code size} by averaging the source pixels that fall in each output
 * pixel, as Vinyals et al. 2016 and the MAML code resize them to 28x28.
 *
 * <p>Validation takes the last {@code validAlphabets} background alphabets in name order, so the
 * three class sets are disjoint by alphabet, as the two Omniglot sets are.
 */
public final class OmniglotFolders {
  private OmniglotFolders() {}

  /**
   * The characters under {@code root}, one class per character folder.
   *
   * @throws ConfigException naming the folder or file that is missing, empty or unreadable
   */
  public static List<ImageClass> load(Path root, int size, int validAlphabets) {
    List<ImageClass> out = new ArrayList<>();
    List<Path> background = alphabets(root.resolve("images_background"));
    if (validAlphabets < 0 || validAlphabets >= background.size()) {
      throw new ConfigException(root + ": valid_alphabets must be in [0, " + (background.size() - 1) + "] for "
          + background.size() + " background alphabets, got " + validAlphabets);
    }
    for (int a = 0; a < background.size(); a++) {
      String split = a >= background.size() - validAlphabets ? "valid" : "train";
      characters(background.get(a), split, size, out);
    }
    for (Path alphabet : alphabets(root.resolve("images_evaluation"))) {
      characters(alphabet, "test", size, out);
    }
    return out;
  }

  private static List<Path> alphabets(Path set) {
    List<Path> a = subfolders(set);
    if (a.isEmpty()) {
      throw new ConfigException(set + ": no alphabet folders (expected the Omniglot layout <set>/<alphabet>/"
          + "<character>/*.png)");
    }
    return a;
  }

  private static void characters(Path alphabet, String split, int size, List<ImageClass> out) {
    List<Path> chars = subfolders(alphabet);
    if (chars.isEmpty()) {
      throw new ConfigException(alphabet + ": no character folders");
    }
    String group = alphabet.getParent().getFileName() + "/" + alphabet.getFileName();
    for (Path c : chars) {
      List<Path> pngs;
      try (Stream<Path> s = Files.list(c)) {
        pngs = s.filter(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".png")).sorted()
            .toList();
      } catch (IOException e) {
        throw new ConfigException(c + ": cannot list: " + e.getMessage());
      }
      if (pngs.isEmpty()) {
        throw new ConfigException(c + ": no .png images");
      }
      byte[] px = new byte[pngs.size() * size * size];
      for (int i = 0; i < pngs.size(); i++) {
        System.arraycopy(inkImage(pngs.get(i), size), 0, px, i * size * size, size * size);
      }
      out.add(new ImageClass(group + "/" + c.getFileName(), group, split, size, size, px));
    }
  }

  /** A PNG as size x size grayscale bytes with ink (dark strokes) high. */
  static byte[] inkImage(Path png, int size) {
    BufferedImage src;
    try {
      src = ImageIO.read(png.toFile());
    } catch (IOException e) {
      throw new ConfigException(png + ": cannot read PNG: " + e.getMessage());
    }
    if (src == null) {
      throw new ConfigException(png + ": not a readable image");
    }
    // Area averaging by hand: Image.getScaledInstance delivers its pixels asynchronously.
    int w = src.getWidth();
    int h = src.getHeight();
    double[] sum = new double[size * size];
    int[] count = new int[size * size];
    for (int y = 0; y < h; y++) {
      int dy = (int) ((y + 0.5) * size / h);
      for (int x = 0; x < w; x++) {
        int dx = (int) ((x + 0.5) * size / w);
        int rgb = src.getRGB(x, y);
        double gray = (0.299 * ((rgb >> 16) & 0xff) + 0.587 * ((rgb >> 8) & 0xff) + 0.114 * (rgb & 0xff));
        sum[dy * size + dx] += 255 - gray;
        count[dy * size + dx]++;
      }
    }
    byte[] px = new byte[size * size];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (count[i] == 0 ? 0 : Math.round(sum[i] / count[i]));
    }
    return px;
  }

  private static List<Path> subfolders(Path dir) {
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(dir + ": no such folder (expected the Omniglot layout with images_background/ and "
          + "images_evaluation/)");
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new ConfigException(dir + ": cannot list: " + e.getMessage());
    }
  }
}
