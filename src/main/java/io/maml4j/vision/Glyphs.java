package io.maml4j.vision;

import io.maml4j.config.ConfigException;
import io.maml4j.files.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.font.GlyphVector;
import java.awt.geom.AffineTransform;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.lang.Character.UnicodeScript;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Glyphs: a stand-in for Omniglot (Lake et al. 2015) rendered from the {@code fonts-noto-core}
 * fonts. Each class is one letter of one writing system; its examples are the letter rendered
 * at 28x28, white on black, each under its own random affine distortion (rotation, shear, scale,
 * translation) and stroke width, much as Omniglot's examples are one character drawn by
 * different people. Writing systems (alphabets) are split between meta-training, validation and
 * meta-testing, as Omniglot's background and evaluation alphabets are. It is not Omniglot: the
 * variation within a class is a font's glyph under distortion, not human handwriting.
 *
 * <p>The set is generated once, with a fixed seed, into a cache folder holding the pixels ({@code
 * images.u8}) and a manifest ({@code manifest.tsv}: font, code point and distortion of every
 * example, plus the pixels' SHA-256), so it is reproducible and inspectable; a later load checks
 * every byte against the manifest.
 */
public final class Glyphs {
  /** Where Debian's {@code fonts-noto-core} puts its fonts. */
  public static final Path DEBIAN_FONTS = Path.of("/usr/share/fonts/truetype/noto");

  /** A writing system: its font file and Unicode script, and the class set it belongs to. */
  public record Script(String alphabet, String font, UnicodeScript script, String split) {
    /** Validates the split. */
    public Script {
      if (!ImageClass.SPLITS.contains(split)) {
        throw new IllegalArgumentException("split must be one of " + ImageClass.SPLITS + ", got " + split);
      }
    }
  }

  private static Script s(String alphabet, String font, UnicodeScript script, String split) {
    return new Script(alphabet, font + "-Regular.ttf", script, split);
  }

  /**
   * Fifty writing systems, as Omniglot has: 30 for meta-training, 5 for validation, 15 for
   * meta-testing. Living scripts are spread over all three, so the test alphabets are not all
   * historical.
   */
  public static final List<Script> SCRIPTS = List.of(
      s("Latin", "NotoSans", UnicodeScript.LATIN, "train"),
      s("Greek", "NotoSans", UnicodeScript.GREEK, "train"),
      s("Cyrillic", "NotoSans", UnicodeScript.CYRILLIC, "train"),
      s("Armenian", "NotoSansArmenian", UnicodeScript.ARMENIAN, "train"),
      s("Georgian", "NotoSansGeorgian", UnicodeScript.GEORGIAN, "train"),
      s("Hebrew", "NotoSansHebrew", UnicodeScript.HEBREW, "train"),
      s("Arabic", "NotoSansArabic", UnicodeScript.ARABIC, "train"),
      s("Syriac", "NotoSansSyriac", UnicodeScript.SYRIAC, "train"),
      s("Thaana", "NotoSansThaana", UnicodeScript.THAANA, "train"),
      s("Devanagari", "NotoSansDevanagari", UnicodeScript.DEVANAGARI, "train"),
      s("Bengali", "NotoSansBengali", UnicodeScript.BENGALI, "train"),
      s("Gurmukhi", "NotoSansGurmukhi", UnicodeScript.GURMUKHI, "train"),
      s("Gujarati", "NotoSansGujarati", UnicodeScript.GUJARATI, "train"),
      s("Oriya", "NotoSansOriya", UnicodeScript.ORIYA, "train"),
      s("Tamil", "NotoSansTamil", UnicodeScript.TAMIL, "train"),
      s("Telugu", "NotoSansTelugu", UnicodeScript.TELUGU, "train"),
      s("Kannada", "NotoSansKannada", UnicodeScript.KANNADA, "train"),
      s("Sinhala", "NotoSansSinhala", UnicodeScript.SINHALA, "train"),
      s("Thai", "NotoSansThai", UnicodeScript.THAI, "train"),
      s("Lao", "NotoSansLao", UnicodeScript.LAO, "train"),
      s("Myanmar", "NotoSansMyanmar", UnicodeScript.MYANMAR, "train"),
      s("Khmer", "NotoSansKhmer", UnicodeScript.KHMER, "train"),
      s("Mongolian", "NotoSansMongolian", UnicodeScript.MONGOLIAN, "train"),
      s("Ethiopic", "NotoSansEthiopic", UnicodeScript.ETHIOPIC, "train"),
      s("Cherokee", "NotoSansCherokee", UnicodeScript.CHEROKEE, "train"),
      s("Canadian Aboriginal", "NotoSansCanadianAboriginal", UnicodeScript.CANADIAN_ABORIGINAL, "train"),
      s("Runic", "NotoSansRunic", UnicodeScript.RUNIC, "train"),
      s("Ogham", "NotoSansOgham", UnicodeScript.OGHAM, "train"),
      s("Tifinagh", "NotoSansTifinagh", UnicodeScript.TIFINAGH, "train"),
      s("Javanese", "NotoSansJavanese", UnicodeScript.JAVANESE, "train"),
      s("Coptic", "NotoSansCoptic", UnicodeScript.COPTIC, "valid"),
      s("Glagolitic", "NotoSansGlagolitic", UnicodeScript.GLAGOLITIC, "valid"),
      s("Gothic", "NotoSansGothic", UnicodeScript.GOTHIC, "valid"),
      s("Old Italic", "NotoSansOldItalic", UnicodeScript.OLD_ITALIC, "valid"),
      s("Malayalam", "NotoSansMalayalam", UnicodeScript.MALAYALAM, "valid"),
      s("N'Ko", "NotoSansNKo", UnicodeScript.NKO, "test"),
      s("Vai", "NotoSansVai", UnicodeScript.VAI, "test"),
      s("Bamum", "NotoSansBamum", UnicodeScript.BAMUM, "test"),
      s("Balinese", "NotoSansBalinese", UnicodeScript.BALINESE, "test"),
      s("Sundanese", "NotoSansSundanese", UnicodeScript.SUNDANESE, "test"),
      s("Batak", "NotoSansBatak", UnicodeScript.BATAK, "test"),
      s("Lepcha", "NotoSansLepcha", UnicodeScript.LEPCHA, "test"),
      s("Ol Chiki", "NotoSansOlChiki", UnicodeScript.OL_CHIKI, "test"),
      s("Cham", "NotoSansCham", UnicodeScript.CHAM, "test"),
      s("Adlam", "NotoSansAdlam", UnicodeScript.ADLAM, "test"),
      s("Osage", "NotoSansOsage", UnicodeScript.OSAGE, "test"),
      s("Old Turkic", "NotoSansOldTurkic", UnicodeScript.OLD_TURKIC, "test"),
      s("Old Hungarian", "NotoSansOldHungarian", UnicodeScript.OLD_HUNGARIAN, "test"),
      s("Deseret", "NotoSansDeseret", UnicodeScript.DESERET, "test"),
      s("Tibetan", "NotoSerifTibetan", UnicodeScript.TIBETAN, "test"));

  /**
   * One example's distortion, applied about the image centre after the glyph is fitted into
   * 70 % of the image (20 of 28 pixels, as MNIST's digits are).
   *
   * @param rotation degrees, counter-clockwise
   * @param shear horizontal shear factor
   * @param scale factor on the fitted size
   * @param dx pixels to the right
   * @param dy pixels down
   * @param stroke width in pixels of an outline drawn around the filled glyph (0: none)
   */
  public record Distortion(double rotation, double shear, double scale, double dx, double dy, double stroke) {
    /** No distortion: the fitted, centred glyph. */
    public static final Distortion NONE = new Distortion(0, 0, 1, 0, 0, 0);

    /** Rotation U[-15, 15] degrees, shear U[-0.3, 0.3], scale U[0.8, 1.1], shifts U[-2, 2], stroke U[0, 1.5]. */
    static Distortion draw(SplittableRandom rng) {
      return new Distortion(u(rng, -15, 15), u(rng, -0.3, 0.3), u(rng, 0.8, 1.1), u(rng, -2, 2), u(rng, -2, 2),
          u(rng, 0, 1.5));
    }

    private static double u(SplittableRandom rng, double lo, double hi) {
      // Rounded so that the manifest's decimal text is the distortion exactly.
      return Math.round((lo + (hi - lo) * rng.nextDouble()) * 1e4) / 1e4;
    }
  }

  /**
   * What to generate.
   *
   * @param seed the seed of every distortion
   * @param size image height and width in pixels
   * @param examplesPerClass examples of each letter (Omniglot has 20)
   * @param maxPerAlphabet the most letters taken from one writing system, evenly spaced over its
   *     letters in code-point order (Omniglot's alphabets have 14 to 55)
   */
  public record Config(long seed, int size, int examplesPerClass, int maxPerAlphabet) {
    /** The defaults: seed 1, 28x28, 20 examples, at most 55 letters per alphabet. */
    public static final Config DEFAULT = new Config(1, 28, 20, 55);

    /** Validates the sizes, naming the value received. */
    public Config {
      if (size < 8 || size > 256) {
        throw new IllegalArgumentException("glyph size must be in [8, 256], got " + size);
      }
      if (examplesPerClass < 1 || maxPerAlphabet < 1) {
        throw new IllegalArgumentException("examples per class and letters per alphabet must be at least 1, got "
            + examplesPerClass + " and " + maxPerAlphabet);
      }
    }

    String folderName() {
      return "glyphs-seed" + seed + "-" + size + "px-" + examplesPerClass + "x-max" + maxPerAlphabet;
    }
  }

  private Glyphs() {}

  /**
   * The glyph classes of {@code config}, from {@code cache/<name>/} when generated before (every
   * byte checked against the manifest), else generated from {@code fontDir} and saved there.
   *
   * @throws ConfigException naming the font or cache file that is missing or does not match
   */
  public static List<ImageClass> loadOrGenerate(Config config, List<Script> scripts, Path fontDir, Path cache) {
    // Another script list gets its own folder; its name hashes the list's text, which (unlike an
    // enum's hash code) is the same in every run.
    Path dir = cache.resolve(config.folderName() + (scripts.equals(SCRIPTS) ? "" : "-" + Integer.toHexString(
        scripts.toString().hashCode())));
    Path manifest = dir.resolve("manifest.tsv");
    if (Files.exists(manifest)) {
      return load(dir, config);
    }
    Generated g = generate(config, scripts, fontDir);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException(dir + ": cannot create the glyph cache: " + e.getMessage());
    }
    // Pixels first, manifest last: a manifest means the folder is complete.
    AtomicFiles.write(dir.resolve("images.u8"), g.pixels());
    AtomicFiles.write(manifest, g.manifest());
    return g.classes();
  }

  /** A generated set: its classes, all their pixels in class order, and the manifest text. */
  record Generated(List<ImageClass> classes, byte[] pixels, String manifest) {}

  /** Renders the set: deterministic given the config, the scripts and the font files. */
  static Generated generate(Config config, List<Script> scripts, Path fontDir) {
    List<ImageClass> classes = new ArrayList<>();
    java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
    StringBuilder rows = new StringBuilder();
    int n = config.size() * config.size();
    Map<String, Font> fonts = new HashMap<>();
    for (Script sc : scripts) {
      Font font = fonts.computeIfAbsent(sc.font(), f -> font(fontDir.resolve(f)));
      for (int cp : letters(font, sc.script(), config.size(), config.maxPerAlphabet())) {
        SplittableRandom rng = new SplittableRandom(config.seed() * 0x9E3779B97F4A7C15L
            ^ ((long) sc.alphabet().hashCode() << 21) ^ cp);
        byte[] px = new byte[config.examplesPerClass() * n];
        String name = sc.alphabet() + " " + codePoint(cp);
        for (int e = 0; e < config.examplesPerClass(); e++) {
          Distortion d = Distortion.draw(rng);
          System.arraycopy(render(font, cp, config.size(), d), 0, px, e * n, n);
          rows.append(classes.size()).append('\t').append(sc.alphabet()).append('\t').append(sc.split()).append('\t')
              .append(sc.font()).append('\t').append(codePoint(cp)).append('\t').append(e).append('\t')
              .append(d.rotation()).append('\t').append(d.shear()).append('\t').append(d.scale()).append('\t')
              .append(d.dx()).append('\t').append(d.dy()).append('\t').append(d.stroke()).append('\n');
        }
        all.writeBytes(px);
        classes.add(new ImageClass(name, sc.alphabet(), sc.split(), config.size(), config.size(), px));
      }
    }
    byte[] pixels = all.toByteArray();
    StringBuilder m = new StringBuilder();
    m.append("# maml4j glyphs: rendered from fonts-noto-core; a stand-in for Omniglot, not Omniglot\n");
    for (Map.Entry<String, String> e : header(config, pixels).entrySet()) {
      m.append("# ").append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    m.append("class\talphabet\tsplit\tfont\tcode_point\texample\trotation_deg\tshear\tscale\tdx\tdy\tstroke\n");
    m.append(rows);
    return new Generated(List.copyOf(classes), pixels, m.toString());
  }

  private static Map<String, String> header(Config config, byte[] pixels) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("seed", Long.toString(config.seed()));
    h.put("size", Integer.toString(config.size()));
    h.put("examples_per_class", Integer.toString(config.examplesPerClass()));
    h.put("max_per_alphabet", Integer.toString(config.maxPerAlphabet()));
    h.put("images_bytes", Integer.toString(pixels.length));
    h.put("images_sha256", sha256(pixels));
    h.put("java", System.getProperty("java.vendor") + " " + System.getProperty("java.version"));
    return h;
  }

  /** Reads a generated folder back, checking the header against the config and every byte. */
  static List<ImageClass> load(Path dir, Config config) {
    Path manifest = dir.resolve("manifest.tsv");
    Path images = dir.resolve("images.u8");
    List<String> lines;
    byte[] pixels;
    try {
      lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
      pixels = Files.readAllBytes(images);
    } catch (IOException e) {
      throw new ConfigException(dir + ": cannot read the glyph cache: " + e.getMessage());
    }
    Map<String, String> header = new HashMap<>();
    int row = 0;
    while (row < lines.size() && lines.get(row).startsWith("#")) {
      String l = lines.get(row++).substring(1).trim();
      int eq = l.indexOf('=');
      if (eq > 0) {
        header.put(l.substring(0, eq), l.substring(eq + 1));
      }
    }
    String again = " (delete " + dir + " to generate it again)";
    Map<String, String> want = header(config, new byte[0]);
    for (String k : List.of("seed", "size", "examples_per_class", "max_per_alphabet")) {
      if (!want.get(k).equals(header.get(k))) {
        throw new ConfigException(manifest + ": field '" + k + "': expected " + want.get(k) + ", got "
            + header.get(k) + again);
      }
    }
    if (!Integer.toString(pixels.length).equals(header.get("images_bytes"))) {
      throw new ConfigException(images + ": " + pixels.length + " bytes, the manifest says " + header.get("images_bytes")
          + again);
    }
    String sha = sha256(pixels);
    if (!sha.equals(header.get("images_sha256"))) {
      throw new ConfigException(images + ": SHA-256 " + sha + ", the manifest says " + header.get("images_sha256")
          + again);
    }
    int n = config.size() * config.size();
    int per = config.examplesPerClass();
    List<ImageClass> classes = new ArrayList<>();
    List<String> body = lines.subList(row + 1, lines.size());
    if ((long) body.size() * n != pixels.length) {
      throw new ConfigException(manifest + ": " + body.size() + " example rows for " + pixels.length / n
          + " images in " + images + again);
    }
    for (int i = 0; i < body.size(); i += per) {
      String[] f = body.get(i).split("\t", -1);
      if (f.length != 12) {
        throw new ConfigException(manifest + ": line " + (row + 2 + i) + " has " + f.length + " fields, expected 12"
            + again);
      }
      byte[] px = java.util.Arrays.copyOfRange(pixels, i * n, (i + per) * n);
      classes.add(new ImageClass(f[1] + " " + f[4], f[1], f[2], config.size(), config.size(), px));
    }
    return List.copyOf(classes);
  }

  /**
   * The letters of {@code script} that {@code font} draws, in code-point order: canonical
   * (compatibility forms such as Arabic presentation forms are left out), visibly inked, and
   * distinct from the letters before them when rendered undistorted; at most {@code max}, evenly
   * spaced over the candidates.
   */
  static List<Integer> letters(Font font, UnicodeScript script, int size, int max) {
    List<Integer> cand = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int cp = 0; cp <= 0x2FFFF; cp++) {
      if (!Character.isLetter(cp) || UnicodeScript.of(cp) != script || !font.canDisplay(cp)) {
        continue;
      }
      String str = new String(Character.toChars(cp));
      if (!Normalizer.isNormalized(str, Normalizer.Form.NFKC)) {
        continue;
      }
      byte[] px = render(font, cp, size, Distortion.NONE);
      long ink = 0;
      for (byte b : px) {
        ink += b & 0xff;
      }
      if (ink < 255L * 8 || !seen.add(HexFormat.of().formatHex(px))) {
        continue;
      }
      cand.add(cp);
    }
    if (cand.size() <= max) {
      return cand;
    }
    List<Integer> out = new ArrayList<>(max);
    for (int i = 0; i < max; i++) {
      out.add(cand.get((int) ((long) i * cand.size() / max)));
    }
    return out;
  }

  /** One letter at {@code size} x {@code size}, ink 255 on 0, under a distortion. */
  public static byte[] render(Font font, int codePoint, int size, Distortion d) {
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      g.setColor(Color.WHITE);
      GlyphVector gv = font.createGlyphVector(g.getFontRenderContext(), new String(Character.toChars(codePoint)));
      Shape outline = gv.getOutline();
      Rectangle2D b = outline.getBounds2D();
      double extent = Math.max(b.getWidth(), b.getHeight());
      if (extent > 0) {
        double fit = 0.7 * size / extent;
        AffineTransform t = new AffineTransform();
        t.translate(size / 2.0 + d.dx(), size / 2.0 + d.dy());
        t.rotate(Math.toRadians(-d.rotation()));
        t.shear(d.shear(), 0);
        t.scale(fit * d.scale(), fit * d.scale());
        t.translate(-b.getCenterX(), -b.getCenterY());
        Shape shape = t.createTransformedShape(outline);
        g.fill(shape);
        if (d.stroke() > 0) {
          g.setStroke(new BasicStroke((float) d.stroke(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
          g.draw(shape);
        }
      }
    } finally {
      g.dispose();
    }
    byte[] px = new byte[size * size];
    img.getRaster().getDataElements(0, 0, size, size, px);
    return px;
  }

  /** A font file at a size large enough for its outlines to be exact. */
  static Font font(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException(file + ": no such font (install the Debian package fonts-noto-core, or set "
          + "\"fonts\" to a folder with the Noto fonts)");
    }
    try {
      return Font.createFont(Font.TRUETYPE_FONT, file.toFile()).deriveFont(64f);
    } catch (FontFormatException | IOException e) {
      throw new ConfigException(file + ": cannot load the font: " + e.getMessage());
    }
  }

  private static String codePoint(int cp) {
    return String.format(Locale.ROOT, "U+%04X", cp);
  }

  private static String sha256(byte[] b) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
    }
  }
}
