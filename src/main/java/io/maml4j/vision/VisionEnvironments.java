package io.maml4j.vision;

import io.maml4j.config.Fields;
import io.maml4j.envs.EnvRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Offers the few-shot image classification environments to {@link EnvRegistry} through
 * ServiceLoader, like the built-ins: {@code glyphs} (rendered from the Noto fonts),
 * {@code fashion-mnist} (Debian's IDX files) and {@code omniglot} (a folder in Omniglot's layout).
 *
 * <p>Every spec takes {@code ways} (N, default 5), {@code shots} (K, default 1), {@code queries}
 * (Q, default 15) and {@code split} ({@code train}, {@code valid} or {@code test}; default
 * train). Relative paths resolve against the spec file's folder.
 */
public final class VisionEnvironments implements EnvRegistry.Provider {
  @Override
  public Map<String, EnvRegistry.Factory> environments() {
    return Map.of("glyphs", VisionEnvironments::glyphs, "fashion-mnist", VisionEnvironments::fashionMnist,
        "omniglot", VisionEnvironments::omniglot);
  }

  /**
   * {@code glyphs}: also {@code fonts} (default {@link Glyphs#DEBIAN_FONTS}), {@code cache}
   * (default {@link #defaultCache()}), {@code seed} (1), {@code examples_per_class} (20) and
   * {@code max_per_alphabet} (55).
   */
  static FewShotClassification glyphs(Fields f) {
    Path fonts = path(f, "fonts", Glyphs.DEBIAN_FONTS);
    Path cache = path(f, "cache", defaultCache());
    Glyphs.Config d = Glyphs.Config.DEFAULT;
    Glyphs.Config c = new Glyphs.Config(f.longValue("seed", d.seed()), d.size(),
        f.integer("examples_per_class", d.examplesPerClass(), 1, 1000),
        f.integer("max_per_alphabet", d.maxPerAlphabet(), 1, 10_000));
    Shape s = Shape.read(f);
    f.finish();
    return s.over("glyphs", Glyphs.loadOrGenerate(c, Glyphs.SCRIPTS, fonts, cache));
  }

  /** {@code fashion-mnist}: also {@code data} (default {@link FashionMnist#DEBIAN_DIR}). */
  static FewShotClassification fashionMnist(Fields f) {
    Path data = path(f, "data", FashionMnist.DEBIAN_DIR);
    Shape s = Shape.read(f);
    f.finish();
    return s.over("fashion-mnist", FashionMnist.load(data));
  }

  /** {@code omniglot}: also {@code data} (required), {@code size} (28) and {@code valid_alphabets} (5). */
  static FewShotClassification omniglot(Fields f) {
    Path data = path(f, "data", null);
    int size = f.integer("size", 28, 8, 256);
    int valid = f.integer("valid_alphabets", 5, 0, 1000);
    Shape s = Shape.read(f);
    f.finish();
    return s.over("omniglot", OmniglotFolders.load(data, size, valid));
  }

  private record Shape(int ways, int shots, int queries, String split) {
    static Shape read(Fields f) {
      return new Shape(f.integer("ways", 5, 2, 1000), f.integer("shots", 1, 1, 1000), f.integer("queries", 15, 1, 1000),
          f.choice("split", "train", ImageClass.SPLITS));
    }

    FewShotClassification over(String name, List<ImageClass> classes) {
      return new FewShotClassification(name, classes, split, ways, shots, queries);
    }
  }

  /** {@code $XDG_CACHE_HOME/maml4j}, or {@code ~/.cache/maml4j}. */
  public static Path defaultCache() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
    return base.resolve("maml4j");
  }

  private static Path path(Fields f, String field, Path def) {
    if (!f.has(field)) {
      if (def == null) {
        throw io.maml4j.config.ConfigException.field(f.source(), field, "a folder", "nothing");
      }
      return def;
    }
    Path p = Path.of(f.string(field));
    if (p.isAbsolute()) {
      return p;
    }
    try {
      Path source = Path.of(f.source());
      if (Files.isRegularFile(source)) {
        return source.toAbsolutePath().getParent().resolve(p);
      }
    } catch (java.nio.file.InvalidPathException e) {
      // Not a file name: relative to the working directory.
    }
    return p;
  }
}
