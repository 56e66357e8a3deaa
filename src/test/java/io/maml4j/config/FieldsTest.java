package io.maml4j.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.policy.PolicySpec;
import io.maml4j.train.TrainConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FieldsTest {
  @TempDir Path dir;

  @Test
  void trainConfigRoundTripsThroughJson() {
    TrainConfig c = TrainConfig.defaults().toBuilder().metaBatchSize(7).fastBatchSize(3).numBatches(11).gamma(0.95)
        .gaeLambda(0.9).maml(new io.maml4j.meta.MamlConfig(0.05, 2, true, 0.02, 5, 1e-4, 9, 0.5)).dtype("float64")
        .seed(42).build();
    TrainConfig back = TrainConfig.defaults().merge(Fields.parse("mem", c.toJson().toString()));
    assertEquals(c, back);
  }

  @Test
  void policySpecRoundTripsThroughJson() {
    PolicySpec p = new PolicySpec("categorical-mlp", new int[] {32, 16, 8}, "relu", 0.5, 1e-3);
    assertEquals(p, PolicySpec.read(Fields.parse("mem", p.toJson().toString())));
  }

  @Test
  void unknownFieldNamesFileAndField() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> TrainConfig.defaults().merge(Fields.parse("cfg.json", "{\"fast_lr\": 0.1, \"fastlr\": 2}")));
    assertEquals(true, e.getMessage().startsWith("cfg.json: unknown field 'fastlr'"));
  }

  @Test
  void outOfRangeAndWrongTypeValuesSayWhatWasExpected() {
    ConfigException neg = assertThrows(ConfigException.class,
        () -> TrainConfig.defaults().merge(Fields.parse("c.json", "{\"fast_lr\": -0.1}")));
    assertEquals("c.json: field 'fast_lr': expected a number greater than 0, got -0.1", neg.getMessage());
    ConfigException zero = assertThrows(ConfigException.class,
        () -> TrainConfig.defaults().merge(Fields.parse("c.json", "{\"meta_batch_size\": 0}")));
    assertEquals("c.json: field 'meta_batch_size': expected an integer in [1, 1048576], got 0", zero.getMessage());
    ConfigException type = assertThrows(ConfigException.class,
        () -> TrainConfig.defaults().merge(Fields.parse("c.json", "{\"first_order\": \"yes\"}")));
    assertEquals("c.json: field 'first_order': expected true or false, got \"yes\"", type.getMessage());
  }

  @Test
  void malformedAndMissingFilesAreOneLineErrors() throws Exception {
    Path bad = dir.resolve("bad.json");
    Files.writeString(bad, "{\"env\": \"navigation-2d\",");
    ConfigException e = assertThrows(ConfigException.class, () -> Fields.read(bad));
    assertEquals(true, e.getMessage().startsWith(bad + ": malformed JSON"));
    ConfigException missing = assertThrows(ConfigException.class, () -> Fields.read(dir.resolve("nope.json")));
    assertEquals(dir.resolve("nope.json") + ": file not found", missing.getMessage());
  }

  @Test
  void when_json_is_lenient_expect_a_malformed_json_error() {
    // Each of these parses in Gson's lenient mode; a config must be strict JSON.
    for (String text : List.of("{a: 1}", "{'a': 1}", "{\"a\": 1; \"b\": 2}", "{\"a\" = 1}", "{\"a\": NaN}",
        "// comment\n{\"a\": 1}", "{\"a\": unquoted}")) {
      ConfigException e = assertThrows(ConfigException.class, () -> Fields.parse("c.json", text), text);
      // One line naming the file: where the JSON broke, or for NaN the field that needs a finite number.
      assertTrue(e.getMessage().startsWith("c.json: malformed JSON") || e.getMessage().equals("c.json: field 'a':"
          + " expected a finite number, got NaN (JSON has no NaN or Infinity; line 1 column 7)"), e.getMessage());
      assertFalse(e.getMessage().contains("\n"), e.getMessage());
    }
    // The message is Gson's own sentence, not the name of its exception class.
    ConfigException unterminated = assertThrows(ConfigException.class, () -> Fields.parse("c.json", "{\"a\": 1"));
    assertFalse(unterminated.getMessage().contains("Exception"), unterminated.getMessage());
    ConfigException unquoted = assertThrows(ConfigException.class, () -> Fields.parse("c.json", "{a: 1}"));
    assertFalse(unquoted.getMessage().contains("Exception"), unquoted.getMessage());
    ConfigException top = assertThrows(ConfigException.class, () -> Fields.parse("c.json", "[1, 2]"));
    assertEquals("c.json: expected a JSON object at the top level", top.getMessage());
  }

  @Test
  void when_json_has_trailing_content_expect_a_malformed_json_error() {
    for (String text : List.of("{\"a\": 1} {\"b\": 2}", "{\"a\": 1} x", "{\"a\": 1}}")) {
      ConfigException e = assertThrows(ConfigException.class, () -> Fields.parse("c.json", text), text);
      assertTrue(e.getMessage().startsWith("c.json: malformed JSON: unexpected content after the top-level object"),
          e.getMessage());
    }
    // Trailing white space is not content.
    assertTrue(Fields.parse("c.json", "{\"a\": 1}\n  \n").has("a"));
  }

  @Test
  void when_bool_is_explicitly_false_expect_false_even_with_a_true_default() {
    Fields f = Fields.parse("c.json", "{\"a\": false, \"b\": true}");
    assertFalse(f.bool("a", true));
    assertTrue(f.bool("b", false));
    assertTrue(f.bool("missing", true));
    assertFalse(f.bool("missing2", false));
    f.finish();
  }

  @Test
  void when_values_are_read_expect_types_ranges_and_defaults_enforced() {
    Fields f = Fields.parse("c.json", "{\"s\": \"x\", \"n\": 2.5, \"i\": 7, \"l\": 12345678901, "
        + "\"list\": [1, 2, 3], \"o\": {\"p\": 1}, \"nul\": null, \"c\": \"relu\"}");
    assertEquals("x", f.string("s"));
    assertEquals("d", f.string("absent", "d"));
    assertEquals(2.5, f.number("n"), 0);
    assertEquals(2.5, f.number("n", 0, 2.5, 2.5), 0);
    assertEquals(9.0, f.number("absent", 9.0), 0);
    assertEquals(2.5, f.positive("n", 1), 0);
    assertEquals(7, f.integer("i", 0, 7, 7));
    assertEquals(3, f.integer("absent", 3, 0, 1));
    assertEquals(12345678901L, f.longValue("l", 0));
    assertEquals(5L, f.longValue("absent", 5));
    assertArrayEquals(new int[] {1, 2, 3}, f.integers("list", new int[0], 1, 3));
    assertArrayEquals(new int[] {4}, f.integers("absent", new int[] {4}, 0, 9));
    assertEquals("relu", f.choice("c", "tanh", List.of("tanh", "relu")));
    assertFalse(f.has("nul"));
    assertTrue(f.has("o"));
    Fields o = f.object("o");
    assertEquals("c.json (in 'o')", o.source());
    assertEquals(1, o.integer("p", 0, 0, 1));
    o.finish();
    assertEquals("7", f.raw("i").toString());
    f.finish();
    ConfigException missing = assertThrows(ConfigException.class, () -> f.string("nul"));
    assertEquals("c.json: missing required field 'nul'", missing.getMessage());
  }

  @Test
  void when_values_are_out_of_range_or_of_the_wrong_type_expect_one_line_errors() {
    Fields f = Fields.parse("c.json", "{\"s\": 1, \"n\": \"x\", \"i\": 7.5, \"big\": 9, \"l\": 1.5, "
        + "\"list\": [1, 2.5], \"notlist\": 3, \"o\": 1, \"neg\": 0, \"c\": \"sigmoid\", \"b\": 1}");
    assertMessage("c.json: field 's': expected a string, got 1", () -> f.string("s"));
    assertMessage("c.json: field 'n': expected a number, got \"x\"", () -> f.number("n"));
    assertMessage("c.json: field 'i': expected an integer, got 7.5", () -> f.integer("i", 0, 0, 10));
    assertMessage("c.json: field 'big': expected an integer in [0, 8], got 9", () -> f.integer("big", 0, 0, 8));
    assertMessage("c.json: field 'big': expected an integer in [10, 20], got 9", () -> f.integer("big", 0, 10, 20));
    assertMessage("c.json: field 'big': expected a number in [0.0, 8.0], got 9.0", () -> f.number("big", 0, 0, 8));
    assertMessage("c.json: field 'big': expected a number in [10.0, 20.0], got 9.0", () -> f.number("big", 0, 10, 20));
    assertMessage("c.json: field 'l': expected an integer, got 1.5", () -> f.longValue("l", 0));
    assertMessage("c.json: field 'n': expected an integer, got \"x\"", () -> f.longValue("n", 0));
    assertMessage("c.json: field 'list': expected a list of integers in [0, 9], got [1,2.5]",
        () -> f.integers("list", new int[0], 0, 9));
    assertMessage("c.json: field 'list': expected a list of integers in [2, 9], got [1,2.5]",
        () -> f.integers("list", new int[0], 2, 9));
    assertMessage("c.json: field 'list': expected a list of integers in [0, 1], got [1,2.5]",
        () -> f.integers("list", new int[0], 0, 1));
    assertMessage("c.json: field 'notlist': expected a list of integers, got 3", () -> f.integers("notlist", null, 0, 9));
    assertMessage("c.json: field 'o': expected an object, got 1", () -> f.object("o"));
    assertMessage("c.json: field 'neg': expected a number greater than 0, got 0.0", () -> f.positive("neg", 1));
    assertMessage("c.json: field 'c': expected one of [tanh, relu], got \"sigmoid\"",
        () -> f.choice("c", "tanh", List.of("tanh", "relu")));
    assertMessage("c.json: field 'b': expected true or false, got 1", () -> f.bool("b", false));
    assertMessage("c.json: field 'n': expected an integer, got \"x\"", () -> f.integer("n", 0, 0, 1));
    assertMessage("c.json: field 's': expected a list of integers in [0, 9], got [\"a\"]",
        () -> Fields.parse("c.json", "{\"s\": [\"a\"]}").integers("s", null, 0, 9));
  }

  @Test
  void when_a_field_is_unknown_expect_it_named_with_the_known_ones() {
    Fields f = Fields.parse("c.json", "{\"b\": 1, \"zz\": 2}");
    f.integer("b", 0, 0, 9);
    f.has("a");
    assertMessage("c.json: unknown field 'zz' (known fields: a, b)", f::finish);
  }

  @Test
  void when_a_file_holds_an_object_expect_its_fields_attributed_to_the_file() throws Exception {
    Path good = dir.resolve("good.json");
    Files.writeString(good, "{\"a\": 3}");
    Fields f = Fields.read(good);
    assertEquals(good.toString(), f.source());
    assertEquals(3, f.integer("a", 0, 0, 9));
  }

  @Test
  void when_a_file_cannot_be_read_expect_a_one_line_error() {
    // A directory is not readable as a file.
    ConfigException e = assertThrows(ConfigException.class, () -> Fields.read(dir));
    assertTrue(e.getMessage().startsWith(dir + ": cannot read: "), e.getMessage());
  }

  private static void assertMessage(String expected, org.junit.jupiter.api.function.Executable call) {
    assertEquals(expected, assertThrows(ConfigException.class, call).getMessage());
  }
}
