package io.maml4j.vision;

import io.maml4j.config.ConfigException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * Reader of the IDX format of MNIST and Fashion-MNIST (LeCun et al.): a big-endian header with
 * magic {@code 0x00000803} (images: count, rows, columns) or {@code 0x00000801} (labels: count),
 * then one unsigned byte per pixel or label; gzipped when the file name ends in {@code .gz}.
 * Hand-written because it is 30 lines and no maintained Java library reads it.
 */
final class Idx {
  private Idx() {}

  /** Images of an IDX3 file: {@code [count][rows][cols]}. */
  record Images(int count, int rows, int cols, byte[] pixels) {}

  static Images images(Path file) {
    ByteBuffer b = ByteBuffer.wrap(read(file));
    header(file, b, 0x00000803, 16);
    int n = b.getInt();
    int rows = b.getInt();
    int cols = b.getInt();
    long want = (long) n * rows * cols;
    if (n < 0 || rows < 1 || cols < 1 || b.remaining() != want) {
      throw new ConfigException(file + ": IDX images header says " + n + " x " + rows + " x " + cols + " (" + want
          + " bytes), but " + b.remaining() + " bytes follow");
    }
    byte[] px = new byte[(int) want];
    b.get(px);
    return new Images(n, rows, cols, px);
  }

  /** Labels of an IDX1 file. */
  static byte[] labels(Path file) {
    ByteBuffer b = ByteBuffer.wrap(read(file));
    header(file, b, 0x00000801, 8);
    int n = b.getInt();
    if (n < 0 || b.remaining() != n) {
      throw new ConfigException(file + ": IDX labels header says " + n + " labels, but " + b.remaining()
          + " bytes follow");
    }
    byte[] l = new byte[n];
    b.get(l);
    return l;
  }

  private static void header(Path file, ByteBuffer b, int magic, int size) {
    if (b.remaining() < size) {
      throw new ConfigException(file + ": not an IDX file: " + b.remaining() + " bytes, shorter than the "
          + size + "-byte header");
    }
    int m = b.getInt();
    if (m != magic) {
      throw new ConfigException(String.format("%s: IDX magic number 0x%08x, expected 0x%08x", file, m, magic));
    }
  }

  private static byte[] read(Path file) {
    try (InputStream raw = Files.newInputStream(file);
        InputStream in = file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      in.transferTo(out);
      return out.toByteArray();
    } catch (java.nio.file.NoSuchFileException e) {
      throw new ConfigException(file + ": no such file");
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read IDX data: " + e.getMessage());
    }
  }
}
