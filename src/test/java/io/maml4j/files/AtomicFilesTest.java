package io.maml4j.files;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The atomic writer under a disk that fills: channels that write short, make no progress or
 * throw, injected through the {@link AtomicFiles.Opener} seam (no root, no full disk needed).
 */
class AtomicFilesTest {
  @TempDir Path dir;

  /** Wraps the real channel: at most {@code perCall} bytes per write, and ENOSPC after {@code capacity} bytes. */
  private static AtomicFiles.Opener disk(int perCall, long capacity, boolean zeroInsteadOfThrow) {
    return (file, options) -> {
      AtomicFiles.Sink real = AtomicFiles.FILE_CHANNELS.open(file, options);
      return new AtomicFiles.Sink() {
        long written;

        @Override
        public int write(ByteBuffer src) throws IOException {
          int n = (int) Math.min(Math.min(perCall, src.remaining()), capacity - written);
          if (n <= 0) {
            if (zeroInsteadOfThrow) {
              return 0;
            }
            throw new IOException("No space left on device");
          }
          ByteBuffer part = src.slice().limit(n);
          int done = real.write(part);
          src.position(src.position() + done);
          written += done;
          return done;
        }

        @Override
        public void force(boolean metadata) throws IOException {
          real.force(metadata);
        }

        @Override
        public long size() throws IOException {
          return real.size();
        }

        @Override
        public void truncate(long size) throws IOException {
          real.truncate(size);
        }

        @Override
        public void close() throws IOException {
          real.close();
        }
      };
    };
  }

  private List<Path> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  private static byte[] big(int n, char c) {
    return String.valueOf(c).repeat(n).getBytes(StandardCharsets.US_ASCII);
  }

  @Test
  void when_every_call_writes_only_a_few_bytes_expect_the_whole_file_written() throws Exception {
    Path f = dir.resolve("checkpoint.json");
    byte[] data = big(10_000, 'x');
    AtomicFiles.write(f, data, disk(7, Long.MAX_VALUE, false));
    assertArrayEquals(data, Files.readAllBytes(f));
    assertEquals(List.of(f), files());
  }

  @Test
  void when_the_disk_fills_mid_write_expect_the_old_file_byte_identical_and_no_temp_file() throws Exception {
    Path f = dir.resolve("checkpoint.json");
    byte[] old = big(5_000, 'o');
    Files.write(f, old);
    FileWriteException e = assertThrows(FileWriteException.class,
        () -> AtomicFiles.write(f, big(60_000, 'n'), disk(53_248, 53_248, false)));
    assertEquals("cannot write " + f + ": No space left on device", e.getMessage());
    assertArrayEquals(old, Files.readAllBytes(f));
    assertEquals(List.of(f), files());
  }

  @Test
  void when_a_write_makes_no_progress_expect_a_failure_not_a_short_file() throws Exception {
    Path f = dir.resolve("policy.json");
    byte[] old = big(100, 'o');
    Files.write(f, old);
    FileWriteException e = assertThrows(FileWriteException.class,
        () -> AtomicFiles.write(f, big(1_000, 'n'), disk(300, 600, true)));
    assertEquals("cannot write " + f + ": short write: 600 of 1000 bytes written", e.getMessage());
    assertArrayEquals(old, Files.readAllBytes(f));
    assertEquals(List.of(f), files());
  }

  @Test
  void when_sync_fails_expect_the_old_file_kept() throws Exception {
    Path f = dir.resolve("config.json");
    byte[] old = big(10, 'o');
    Files.write(f, old);
    AtomicFiles.Opener failingSync = (file, options) -> {
      AtomicFiles.Sink real = AtomicFiles.FILE_CHANNELS.open(file, options);
      return new AtomicFiles.Sink() {
        @Override
        public int write(ByteBuffer src) throws IOException {
          return real.write(src);
        }

        @Override
        public void force(boolean metadata) throws IOException {
          throw new IOException("Input/output error");
        }

        @Override
        public long size() throws IOException {
          return real.size();
        }

        @Override
        public void truncate(long size) throws IOException {
          real.truncate(size);
        }

        @Override
        public void close() throws IOException {
          real.close();
        }
      };
    };
    assertThrows(FileWriteException.class, () -> AtomicFiles.write(f, big(20, 'n'), failingSync));
    assertArrayEquals(old, Files.readAllBytes(f));
    assertEquals(List.of(f), files());
  }

  @Test
  void when_the_opener_throws_unchecked_expect_no_temp_file() throws Exception {
    Path f = dir.resolve("a.csv");
    AtomicFiles.Opener broken = (file, options) -> {
      Files.createFile(file);
      throw new IllegalStateException("boom");
    };
    assertThrows(IllegalStateException.class, () -> AtomicFiles.write(f, big(3, 'n'), broken));
    assertEquals(List.of(), files());
  }

  @Test
  void when_an_append_fails_midway_expect_the_log_cut_back_to_its_old_bytes() throws Exception {
    Path f = dir.resolve("metrics.jsonl");
    byte[] old = "{\"iteration\": 0}\n".getBytes(StandardCharsets.UTF_8);
    Files.write(f, old);
    FileWriteException e = assertThrows(FileWriteException.class,
        () -> AtomicFiles.append(f, "{\"iteration\": 1, \"pre_return\": -3.5}\n".getBytes(StandardCharsets.UTF_8),
            disk(8, 12, false)));
    assertEquals("cannot write " + f + ": No space left on device", e.getMessage());
    assertArrayEquals(old, Files.readAllBytes(f));
  }

  @Test
  void when_appends_write_short_expect_every_byte_appended() throws Exception {
    Path f = dir.resolve("metrics.jsonl");
    AtomicFiles.append(f, "{\"iteration\": 0}\n".getBytes(StandardCharsets.UTF_8), disk(3, Long.MAX_VALUE, false));
    AtomicFiles.append(f, "{\"iteration\": 1}\n");
    assertEquals("{\"iteration\": 0}\n{\"iteration\": 1}\n", Files.readString(f));
  }

  @Test
  void when_a_file_is_in_the_way_of_the_directory_expect_one_line_naming_both() throws Exception {
    Path blocker = dir.resolve("plots");
    Files.writeString(blocker, "not a directory");
    Path f = blocker.resolve("learning-curve.png");
    FileWriteException e = assertThrows(FileWriteException.class, () -> AtomicFiles.write(f, new byte[] {1, 2}));
    assertEquals("cannot write " + f + ": " + blocker + " is in the way (it exists and is not a directory)",
        e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void when_rewritten_expect_the_new_content_and_no_leftovers() throws Exception {
    Path f = dir.resolve("x.json");
    AtomicFiles.write(f, "{}");
    AtomicFiles.write(f, "{\"a\": 1}");
    assertEquals("{\"a\": 1}", Files.readString(f));
    assertEquals(List.of(f), files());
  }
}
