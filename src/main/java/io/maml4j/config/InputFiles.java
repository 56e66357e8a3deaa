package io.maml4j.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads input files with a size cap and a one-line reason when they cannot be read, so that a
 * huge or wrong file fails at once instead of filling the heap.
 */
public final class InputFiles {
  private static final long MIB = 1L << 20;
  /** Specs and configs ({@code environments/}, {@code policies/}, {@code --config}, {@code config.json}). */
  public static final long SPEC_LIMIT = 4 * MIB;
  /** Checkpoints, trained policies and optimizer state: generous, they hold every parameter. */
  public static final long CHECKPOINT_LIMIT = 256 * MIB;

  private InputFiles() {}

  /**
   * The UTF-8 text of {@code file}.
   *
   * @param limit the largest size accepted, in bytes
   * @throws ConfigException "FILE: file not found", "FILE: cannot read: permission denied",
   *     "FILE: cannot read: is a directory" or "FILE: too large: ..."
   */
  public static String read(Path file, long limit) {
    if (Files.isDirectory(file)) {
      throw new ConfigException(file + ": cannot read: is a directory");
    }
    try (InputStream in = Files.newInputStream(file)) {
      // Read one byte past the limit rather than trusting size(): a pipe or a growing file has none.
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
      if (bytes.length > limit) {
        throw new ConfigException(file + ": too large: more than " + describe(limit)
            + " (the limit for this kind of file)");
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new ConfigException(file + ": file not found");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + why(e));
    }
  }

  /** Why a read failed, in a few words. */
  static String why(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
      return f.getReason();
    }
    String m = e.getMessage();
    return m == null || m.isBlank() ? e.getClass().getSimpleName() : m.lines().findFirst().orElse(m);
  }

  static String describe(long bytes) {
    return bytes % MIB == 0 ? bytes / MIB + " MiB" : bytes + " bytes";
  }
}
