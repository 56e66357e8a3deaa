package io.maml4j.vision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.maml4j.config.ConfigException;
import java.awt.Font;
import java.lang.Character.UnicodeScript;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The glyph generator on a few characters of two writing systems, and its cache. */
class GlyphsTest {
  private static final List<Glyphs.Script> TWO = List.of(
      new Glyphs.Script("Armenian", "NotoSansArmenian-Regular.ttf", UnicodeScript.ARMENIAN, "train"),
      new Glyphs.Script("Runic", "NotoSansRunic-Regular.ttf", UnicodeScript.RUNIC, "test"));
  private static final Glyphs.Config SMALL = new Glyphs.Config(1, 28, 4, 3);

  @BeforeEach
  void needFonts() {
    assumeTrue(Files.isDirectory(Glyphs.DEBIAN_FONTS), "the Debian package fonts-noto-core is not installed "
        + "(scripts/setup.sh installs it): no fonts to render glyphs from");
  }

  private static long ink(byte[] px) {
    long s = 0;
    for (byte b : px) {
      s += b & 0xff;
    }
    return s;
  }

  @Test
  void when_two_alphabets_are_generated_expect_distorted_distinct_examples_per_letter_in_their_splits() {
    Glyphs.Generated g = Glyphs.generate(SMALL, TWO, Glyphs.DEBIAN_FONTS);
    assertEquals(6, g.classes().size());
    assertEquals(List.of("train", "train", "train", "test", "test", "test"),
        g.classes().stream().map(ImageClass::split).toList());
    assertEquals("Armenian", g.classes().get(0).group());
    assertTrue(g.classes().get(0).name().matches("Armenian U\\+05[0-9A-F]{2}"), g.classes().get(0).name());
    for (ImageClass c : g.classes()) {
      assertEquals(4, c.size());
      for (int i = 0; i < 4; i++) {
        assertTrue(ink(c.bytes(i)) > 255L * 8, c.name() + " example " + i + " is blank");
      }
      assertFalse(java.util.Arrays.equals(c.bytes(0), c.bytes(1)), c.name() + ": two examples are identical");
    }
    // A comment, 7 key=value lines, the column names and one row per example.
    List<String> lines = g.manifest().lines().toList();
    assertEquals(1 + 7 + 1 + 24, lines.size());
    assertTrue(lines.get(0).contains("not Omniglot"));
    assertEquals("class\talphabet\tsplit\tfont\tcode_point\texample\trotation_deg\tshear\tscale\tdx\tdy\tstroke",
        lines.get(8));
    assertTrue(lines.get(9).startsWith("0\tArmenian\ttrain\tNotoSansArmenian-Regular.ttf\tU+05"), lines.get(9));
  }

  @Test
  void when_generated_twice_expect_the_same_bytes_and_another_seed_other_distortions() {
    Glyphs.Generated a = Glyphs.generate(SMALL, TWO.subList(0, 1), Glyphs.DEBIAN_FONTS);
    Glyphs.Generated b = Glyphs.generate(SMALL, TWO.subList(0, 1), Glyphs.DEBIAN_FONTS);
    assertArrayEquals(a.pixels(), b.pixels());
    assertEquals(a.manifest(), b.manifest());
    Glyphs.Generated c = Glyphs.generate(new Glyphs.Config(2, 28, 4, 3), TWO.subList(0, 1), Glyphs.DEBIAN_FONTS);
    assertFalse(java.util.Arrays.equals(a.pixels(), c.pixels()));
    assertEquals(a.classes().stream().map(ImageClass::name).toList(), c.classes().stream().map(ImageClass::name).toList());
  }

  @Test
  void when_a_letter_is_rendered_undistorted_expect_it_centred_and_fitted() {
    Font f = Glyphs.font(Glyphs.DEBIAN_FONTS.resolve("NotoSans-Regular.ttf"));
    byte[] px = Glyphs.render(f, 'O', 28, Glyphs.Distortion.NONE);
    double sx = 0;
    double sy = 0;
    int top = 28;
    int bottom = -1;
    for (int i = 0; i < px.length; i++) {
      int v = px[i] & 0xff;
      sx += v * (i % 28 + 0.5);
      sy += v * (i / 28 + 0.5);
      if (v > 64) {
        top = Math.min(top, i / 28);
        bottom = Math.max(bottom, i / 28);
      }
    }
    assertEquals(14, sx / ink(px), 0.5);
    assertEquals(14, sy / ink(px), 0.5);
    // Fitted into 70 % of 28 pixels: about 20 rows tall.
    assertEquals(20, bottom - top + 1, 1);
    // A rotation by 90 degrees turns a wide glyph tall.
    byte[] dash = Glyphs.render(f, '-', 28, Glyphs.Distortion.NONE);
    byte[] turned = Glyphs.render(f, '-', 28, new Glyphs.Distortion(90, 0, 1, 0, 0, 0));
    assertTrue((dash[14 * 28 + 4] & 0xff) > 128 && (dash[4 * 28 + 14] & 0xff) == 0);
    assertTrue((turned[4 * 28 + 14] & 0xff) > 128 && (turned[14 * 28 + 4] & 0xff) == 0);
  }

  @Test
  void when_the_cache_is_reused_or_corrupted_expect_the_same_classes_or_one_line_naming_the_file(@TempDir Path tmp)
      throws Exception {
    List<ImageClass> first = Glyphs.loadOrGenerate(SMALL, TWO, Glyphs.DEBIAN_FONTS, tmp);
    Path dir;
    try (var s = Files.list(tmp)) {
      dir = s.findFirst().orElseThrow();
    }
    assertTrue(Files.exists(dir.resolve("manifest.tsv")) && Files.exists(dir.resolve("images.u8")));
    // The second call reads the cache: even a missing font folder does not matter then.
    List<ImageClass> again = Glyphs.loadOrGenerate(SMALL, TWO, tmp.resolve("no-fonts"), tmp);
    assertEquals(first.size(), again.size());
    for (int c = 0; c < first.size(); c++) {
      assertEquals(first.get(c).name(), again.get(c).name());
      assertEquals(first.get(c).split(), again.get(c).split());
      assertArrayEquals(first.get(c).pixels(), again.get(c).pixels());
    }
    byte[] px = Files.readAllBytes(dir.resolve("images.u8"));
    px[100] ^= 1;
    Files.write(dir.resolve("images.u8"), px);
    ConfigException e = assertThrows(ConfigException.class,
        () -> Glyphs.loadOrGenerate(SMALL, TWO, Glyphs.DEBIAN_FONTS, tmp));
    assertTrue(e.getMessage().startsWith(dir.resolve("images.u8") + ": SHA-256 "), e.getMessage());
    assertTrue(e.getMessage().endsWith("(delete " + dir + " to generate it again)"), e.getMessage());
  }

  @Test
  void when_a_font_is_missing_expect_one_line_naming_it_and_the_package(@TempDir Path tmp) {
    ConfigException e = assertThrows(ConfigException.class, () -> Glyphs.generate(SMALL, TWO, tmp));
    assertEquals(tmp.resolve("NotoSansArmenian-Regular.ttf") + ": no such font (install the Debian package "
        + "fonts-noto-core, or set \"fonts\" to a folder with the Noto fonts)", e.getMessage());
  }

  @Test
  void when_the_standard_scripts_are_listed_expect_fifty_alphabets_split_30_5_15_with_fonts_present() {
    assertEquals(50, Glyphs.SCRIPTS.size());
    assertEquals(30, Glyphs.SCRIPTS.stream().filter(s -> s.split().equals("train")).count());
    assertEquals(5, Glyphs.SCRIPTS.stream().filter(s -> s.split().equals("valid")).count());
    assertEquals(15, Glyphs.SCRIPTS.stream().filter(s -> s.split().equals("test")).count());
    for (Glyphs.Script s : Glyphs.SCRIPTS) {
      assertTrue(Files.isRegularFile(Glyphs.DEBIAN_FONTS.resolve(s.font())), s.font());
    }
  }
}
