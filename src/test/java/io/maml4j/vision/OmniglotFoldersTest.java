package io.maml4j.vision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.ConfigException;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Omniglot folder layout, on a tiny copy the test writes. */
class OmniglotFoldersTest {
  /** A 12x12 white PNG with a black 3x3 square at the left edge from {@code row} down, like a pen stroke. */
  private static void png(Path file, int row) throws IOException {
    Files.createDirectories(file.getParent());
    BufferedImage img = new BufferedImage(12, 12, BufferedImage.TYPE_BYTE_BINARY);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 12, 12);
    g.setColor(Color.BLACK);
    g.fillRect(0, row, 3, 3);
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static void layout(Path root) throws IOException {
    for (String set : List.of("images_background", "images_evaluation")) {
      for (String alphabet : set.equals("images_background") ? List.of("Alpha", "Beta", "Gamma") : List.of("Zeta")) {
        for (String ch : List.of("character01", "character02")) {
          for (int i = 0; i < 3; i++) {
            png(root.resolve(set).resolve(alphabet).resolve(ch).resolve("0" + i + "_" + ch + ".png"), 3 * i);
          }
        }
      }
    }
  }

  @Test
  void when_the_layout_is_read_expect_one_class_per_character_inverted_and_resized_in_three_splits(@TempDir Path root)
      throws IOException {
    layout(root);
    List<ImageClass> c = OmniglotFolders.load(root, 4, 1);
    assertEquals(8, c.size());
    assertEquals("images_background/Alpha/character01", c.get(0).name());
    assertEquals("images_background/Alpha", c.get(0).group());
    assertEquals(List.of("train", "train", "train", "train", "valid", "valid", "test", "test"),
        c.stream().map(ImageClass::split).toList());
    assertEquals(3, c.get(0).size());
    // Example 0: black rows 0-2 of columns 0-2 of 12x12 are pixel (0, 0) of 4x4, fully inked.
    byte[] px = c.get(0).bytes(0);
    assertEquals(255, px[0] & 0xff);
    assertEquals(0, px[1] & 0xff);
    assertEquals(0, px[4] & 0xff);
    // Example 2: the bar is rows 6-8, pixel row 2.
    assertEquals(255, c.get(0).bytes(2)[8] & 0xff);
  }

  @Test
  void when_the_layout_is_incomplete_expect_one_line_naming_the_folder(@TempDir Path root) throws IOException {
    ConfigException none = assertThrows(ConfigException.class, () -> OmniglotFolders.load(root, 28, 0));
    assertTrue(none.getMessage().startsWith(root.resolve("images_background") + ": no such folder"), none.getMessage());
    layout(root);
    Files.createDirectories(root.resolve("images_evaluation/Zeta/character03"));
    ConfigException empty = assertThrows(ConfigException.class, () -> OmniglotFolders.load(root, 28, 0));
    assertEquals(root.resolve("images_evaluation/Zeta/character03") + ": no .png images", empty.getMessage());
    ConfigException valid = assertThrows(ConfigException.class, () -> OmniglotFolders.load(root, 28, 3));
    assertEquals(root + ": valid_alphabets must be in [0, 2] for 3 background alphabets, got 3", valid.getMessage());
  }
}
