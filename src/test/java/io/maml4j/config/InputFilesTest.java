package io.maml4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading input files: size caps, why a file cannot be read, and one line for bad JSON tokens. */
class InputFilesTest {
  @TempDir Path dir;

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private static void assertOneLine(String message) {
    assertFalse(message.contains("\n"), message);
    assertFalse(message.contains("setStrictness"), message);
  }

  @Test
  void when_a_spec_is_larger_than_the_cap_expect_one_line_without_reading_it_all() throws Exception {
    StringBuilder sb = new StringBuilder("{\"env\": \"navigation-2d\", \"pad\": \"");
    sb.append("x".repeat((int) InputFiles.SPEC_LIMIT));
    sb.append("\"}");
    Path p = write("huge.json", sb.toString());
    ConfigException e = assertThrows(ConfigException.class, () -> Fields.read(p));
    assertEquals(p + ": too large: more than 4 MiB (the limit for this kind of file)", e.getMessage());
  }

  @Test
  void when_a_file_is_within_a_given_cap_expect_it_read_and_past_it_refused() throws Exception {
    Path p = write("c.json", "{\"a\": 1}");
    assertEquals("{\"a\": 1}", InputFiles.read(p, 8));
    ConfigException e = assertThrows(ConfigException.class, () -> InputFiles.read(p, 7));
    assertEquals(p + ": too large: more than 7 bytes (the limit for this kind of file)", e.getMessage());
  }

  @Test
  void when_the_file_cannot_be_read_expect_the_reason() throws Exception {
    assertEquals(dir.resolve("nope.json") + ": file not found",
        assertThrows(ConfigException.class, () -> Fields.read(dir.resolve("nope.json"))).getMessage());
    assertEquals(dir + ": cannot read: is a directory",
        assertThrows(ConfigException.class, () -> Fields.read(dir)).getMessage());
    // Tests may run as root, who reads everything: the mapping itself is checked.
    assertEquals("permission denied", InputFiles.why(new AccessDeniedException("/x/y.json")));
  }

  @Test
  void when_a_json_file_holds_nan_expect_one_line_naming_file_and_field() throws Exception {
    Path p = write("t.json", "{\"train\": {\n  \"fast_lr\": NaN\n}}");
    ConfigException e = assertThrows(ConfigException.class, () -> Fields.read(p));
    assertOneLine(e.getMessage());
    assertEquals(p + ": field 'train.fast_lr': expected a finite number, got NaN (JSON has no NaN or Infinity;"
        + " line 2 column 14)", e.getMessage());
  }

  @Test
  void when_a_json_array_holds_infinity_expect_the_element_named() throws Exception {
    Path p = write("p.json", "{\"hidden_sizes\": [64, -Infinity]}");
    ConfigException e = assertThrows(ConfigException.class, () -> Fields.read(p));
    assertOneLine(e.getMessage());
    assertTrue(e.getMessage().startsWith(p + ": field 'hidden_sizes[1]': expected a finite number, got -Infinity"),
        e.getMessage());
  }

  @Test
  void when_json_is_otherwise_malformed_expect_one_line_with_where() throws Exception {
    Path p = write("b.json", "{\"a\": tru}");
    ConfigException e = assertThrows(ConfigException.class, () -> Fields.read(p));
    assertOneLine(e.getMessage());
    assertEquals(p + ": malformed JSON at line 1 column 7, field 'a': unexpected token 'tru'", e.getMessage());
    Path q = write("c.json", "{\"a\": 1");
    e = assertThrows(ConfigException.class, () -> Fields.read(q));
    assertOneLine(e.getMessage());
    assertTrue(e.getMessage().startsWith(q + ": malformed JSON at line 1 column"), e.getMessage());
  }
}
