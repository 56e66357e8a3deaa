package io.maml4j.files;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;

/**
 * Writes files so that nothing already saved is lost. {@link #write} puts the bytes into a
 * temporary sibling, checks that every byte was written, syncs it, renames it over the target and
 * syncs the directory: a reader (or a crash) sees the old file or the new one, never a partial
 * one. {@link #append} adds a line to a log and syncs it; on failure it cuts the file back to its
 * old length, so at worst a crash mid-append leaves one partial last line.
 *
 * <p>Written by hand because {@code Files.write} gives no atomic replace, and the JDK's one
 * {@code FileChannel.write} call may write fewer bytes than asked (it does, on a full disk).
 */
public final class AtomicFiles {
  private static final SecureRandom TMP_NAMES = new SecureRandom();

  /** The channel operations the writer needs, so tests can inject a short or failing write. */
  interface Sink extends Closeable {
    int write(ByteBuffer src) throws IOException;

    /** Flushes content (and with {@code metadata}, the file's metadata) to the device. */
    void force(boolean metadata) throws IOException;

    long size() throws IOException;

    void truncate(long size) throws IOException;
  }

  /** Opens a file for writing; the seam between the writer and the file system. */
  @FunctionalInterface
  interface Opener {
    Sink open(Path file, OpenOption... options) throws IOException;
  }

  static final Opener FILE_CHANNELS = (file, options) -> {
    FileChannel ch = FileChannel.open(file, options);
    return new Sink() {
      @Override
      public int write(ByteBuffer src) throws IOException {
        return ch.write(src);
      }

      @Override
      public void force(boolean metadata) throws IOException {
        ch.force(metadata);
      }

      @Override
      public long size() throws IOException {
        return ch.size();
      }

      @Override
      public void truncate(long size) throws IOException {
        ch.truncate(size);
      }

      @Override
      public void close() throws IOException {
        ch.close();
      }
    };
  };

  private AtomicFiles() {}

  /** Replaces {@code file} with {@code text} (UTF-8) atomically. */
  public static void write(Path file, String text) {
    write(file, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Replaces {@code file} with {@code bytes} atomically; creates missing parent directories.
   *
   * @throws FileWriteException one line naming the file and the reason; the old file is unchanged
   *     and no temporary file remains
   */
  public static void write(Path file, byte[] bytes) {
    write(file, bytes, FILE_CHANNELS);
  }

  static void write(Path file, byte[] bytes, Opener opener) {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = null;
    try {
      Files.createDirectories(dir);
      // Not Files.createTempFile: its files are mode 0600, which the rename would pass on to every
      // checkpoint and metrics file. A plain create gets the user's umask, like any other output.
      tmp = dir.resolve("." + file.getFileName() + "." + Long.toUnsignedString(TMP_NAMES.nextLong(), 36) + ".tmp");
      try (Sink ch = opener.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.CREATE_NEW)) {
        writeFully(ch, ByteBuffer.wrap(bytes));
        ch.force(true);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
      syncDirectory(dir);
    } catch (IOException e) {
      throw new FileWriteException(file, e);
    } finally {
      deleteQuietly(tmp);
    }
  }

  /**
   * Appends {@code text} (UTF-8) to {@code file}, creating it if needed, and syncs it.
   *
   * @throws FileWriteException one line naming the file and the reason; the file is cut back to
   *     the length it had (if even that fails, what remains is one partial last line)
   */
  public static void append(Path file, String text) {
    append(file, text.getBytes(StandardCharsets.UTF_8), FILE_CHANNELS);
  }

  static void append(Path file, byte[] bytes, Opener opener) {
    try {
      Path dir = file.toAbsolutePath().getParent();
      Files.createDirectories(dir);
      boolean existed = Files.exists(file);
      try (Sink ch = opener.open(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
        long before = ch.size();
        try {
          writeFully(ch, ByteBuffer.wrap(bytes));
          ch.force(false);
        } catch (IOException e) {
          try {
            ch.truncate(before);
          } catch (IOException ignored) {
            // The partial line stays; readers drop a partial last line, so the log still reads.
          }
          throw e;
        }
      }
      if (!existed) {
        syncDirectory(dir);
      }
    } catch (IOException e) {
      throw new FileWriteException(file, e);
    }
  }

  /** Writes all of {@code buf}; a write that makes no progress is a failure, not a retry loop. */
  static void writeFully(Sink ch, ByteBuffer buf) throws IOException {
    int total = buf.remaining();
    while (buf.hasRemaining()) {
      if (ch.write(buf) <= 0) {
        throw new IOException("short write: " + (total - buf.remaining()) + " of " + total + " bytes written");
      }
    }
  }

  /** Makes a rename or a new file durable: fsync of the directory holding it. */
  private static void syncDirectory(Path dir) throws IOException {
    FileChannel ch;
    try {
      ch = FileChannel.open(dir, StandardOpenOption.READ);
    } catch (IOException unsupported) {
      // Some platforms (Windows) cannot open a directory; there the rename is as durable as it gets.
      return;
    }
    try (ch) {
      ch.force(true);
    }
  }

  private static void deleteQuietly(Path tmp) {
    if (tmp == null) {
      return;
    }
    try {
      Files.deleteIfExists(tmp);
    } catch (IOException ignored) {
      // Nothing more to do: the target is untouched, and the leftover is a hidden ".tmp" sibling.
    }
  }
}
