package io.maml4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.maml4j.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The IDX reader on files the test writes, and on Debian's Fashion-MNIST where installed. */
class FashionMnistTest {
  private static void idx(Path file, int magic, int[] dims, byte[] data) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeInt(magic);
    for (int x : dims) {
      d.writeInt(x);
    }
    d.write(data);
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write(b.toByteArray());
    }
  }

  /** Two 2x2 images per label 0..9 in each file; pixel values encode label and index. */
  private static void write(Path dir) throws IOException {
    for (String part : List.of("train", "t10k")) {
      byte[] px = new byte[20 * 4];
      byte[] labels = new byte[20];
      for (int i = 0; i < 20; i++) {
        labels[i] = (byte) (i % 10);
        for (int p = 0; p < 4; p++) {
          px[i * 4 + p] = (byte) (i * 10 + p + (part.equals("t10k") ? 1 : 0));
        }
      }
      idx(dir.resolve(part + "-images-idx3-ubyte.gz"), 0x803, new int[] {20, 2, 2}, px);
      idx(dir.resolve(part + "-labels-idx1-ubyte.gz"), 0x801, new int[] {20}, labels);
    }
  }

  @Test
  void when_idx_files_are_read_expect_classes_0_to_4_train_and_5_to_9_valid_then_test(@TempDir Path dir)
      throws IOException {
    write(dir);
    List<ImageClass> c = FashionMnist.load(dir);
    assertEquals(15, c.size());
    assertEquals("T-shirt/top", c.get(0).name());
    assertEquals("train", c.get(0).split());
    assertEquals("valid", c.get(5).split());
    assertEquals("Sandal", c.get(5).name());
    assertEquals("test", c.get(10).split());
    assertEquals("Sandal", c.get(10).name());
    // Label 5's images are 5 and 15 of each file: pixels 50.. and 150.. (+1 in the test file).
    assertEquals(2, c.get(5).size());
    assertArrayEquals(new byte[] {50, 51, 52, 53}, c.get(5).bytes(0));
    assertArrayEquals(new byte[] {(byte) 151, (byte) 152, (byte) 153, (byte) 154}, c.get(10).bytes(1));
  }

  @Test
  void when_an_idx_file_is_malformed_expect_one_line_naming_it(@TempDir Path dir) throws IOException {
    write(dir);
    Path labels = dir.resolve("train-labels-idx1-ubyte.gz");
    idx(labels, 0x803, new int[] {20}, new byte[20]);
    ConfigException magic = assertThrows(ConfigException.class, () -> FashionMnist.load(dir));
    assertEquals(labels + ": IDX magic number 0x00000803, expected 0x00000801", magic.getMessage());
    idx(labels, 0x801, new int[] {20}, new byte[19]);
    ConfigException shortFile = assertThrows(ConfigException.class, () -> FashionMnist.load(dir));
    assertEquals(labels + ": IDX labels header says 20 labels, but 19 bytes follow", shortFile.getMessage());
    idx(labels, 0x801, new int[] {19}, new byte[19]);
    ConfigException count = assertThrows(ConfigException.class, () -> FashionMnist.load(dir));
    assertEquals(labels + ": 19 labels for the 20 images of " + dir.resolve("train-images-idx3-ubyte.gz"),
        count.getMessage());
    ConfigException none = assertThrows(ConfigException.class, () -> FashionMnist.load(dir.resolve("none")));
    assertEquals(dir.resolve("none") + ": no Fashion-MNIST directory (install the Debian package "
        + "dataset-fashion-mnist, or set \"data\" to a directory with its IDX files)", none.getMessage());
  }

  @Test
  void when_the_debian_package_is_installed_expect_70000_pictures_in_three_class_sets() {
    assumeTrue(Files.isDirectory(FashionMnist.DEBIAN_DIR), "the Debian package dataset-fashion-mnist is not "
        + "installed (scripts/setup.sh installs it)");
    List<ImageClass> c = FashionMnist.load(FashionMnist.DEBIAN_DIR);
    assertEquals(15, c.size());
    int total = 0;
    for (ImageClass k : c) {
      assertEquals(28, k.height());
      assertEquals(k.split().equals("test") ? 1000 : 6000, k.size(), k.name() + " " + k.split());
      total += k.size();
    }
    assertEquals(70000 - 5 * 1000, total);
  }
}
