package io.maml4j.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * A file could not be written; the message is one line, "cannot write FILE: reason". What was on
 * disk before is still there. The command line maps it to exit code 1 (an I/O failure, not bad
 * input).
 */
public final class FileWriteException extends UncheckedIOException {
  private static final long serialVersionUID = 1L;
  private final transient Path file;

  public FileWriteException(Path file, IOException cause) {
    super("cannot write " + file + ": " + reason(cause), cause);
    this.file = file;
  }

  /** The file that was not written. */
  public Path file() {
    return file;
  }

  /** The one-line reason of an I/O failure, such as "No space left on device". */
  static String reason(IOException e) {
    String m = e.getMessage();
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof java.nio.file.FileAlreadyExistsException f) {
      return f.getFile() + " is in the way (it exists and is not a directory)";
    }
    if (e instanceof java.nio.file.NotDirectoryException f) {
      return f.getFile() + " is not a directory";
    }
    if (e instanceof java.nio.file.DirectoryNotEmptyException) {
      return "a non-empty directory of that name is in the way";
    }
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof java.nio.file.FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    if (m == null || m.isBlank()) {
      return e.getClass().getSimpleName();
    }
    return m.lines().findFirst().orElse(m);
  }
}
