package io.maml4j.mujoco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MjOffsetsTest {
  private static final Path HEADER = Path.of("/usr/include/mujoco/mujoco.h");

  @Test
  void when_compiled_against_installed_headers_expect_every_constant_to_match_offsetof(
      @TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(HEADER), "MuJoCo headers not installed (libmujoco-dev)");
    assumeTrue(onPath("gcc"), "gcc not installed");

    Path source = dir.resolve("offsets.c");
    try (InputStream in = MjOffsetsTest.class.getResourceAsStream("/mujoco/offsets.c")) {
      Files.copy(in, source);
    }
    Path binary = dir.resolve("offsets");
    run(dir, "gcc", "-std=c99", "-Wall", "-Werror", "-I/usr/include", "-o", binary.toString(),
        source.toString());
    Map<String, Long> actual = parse(run(dir, binary.toString()));
    // The X-macro lists alone name 473 fields; a much shorter output means a broken generator.
    assertTrue(actual.size() > 470, "generator printed only " + actual.size() + " lines");

    List<String> mismatches = new ArrayList<>();
    for (Map.Entry<String, Integer> constant : constants().entrySet()) {
      String key = cName(constant.getKey());
      Long expected = actual.get(key);
      if (expected == null) {
        mismatches.add(constant.getKey() + ": no " + key + " in the generator output");
      } else if (expected != constant.getValue().longValue()) {
        mismatches.add(constant.getKey() + " = " + constant.getValue() + " but offsetof gives "
            + expected);
      }
    }
    assertEquals(List.of(), mismatches);
  }

  @Test
  void when_reading_constants_expect_header_version_to_be_the_required_one() {
    assertEquals(222, MjOffsets.HEADER_VERSION);
    assertEquals(MjOffsets.HEADER_VERSION, MuJoCo.REQUIRED_VERSION);
  }

  /** Maps a constant name to the generator's "struct.field" key. */
  static String cName(String constant) {
    if (constant.equals("HEADER_VERSION")) {
      return "version.header";
    }
    String[][] prefixes = {
      {"SIZEOF_", "sizeof."}, {"M_", "mjModel."}, {"OPT_", "mjOption."}, {"D_", "mjData."},
      {"WARN_", "mjWarningStat."}
    };
    for (String[] p : prefixes) {
      if (constant.startsWith(p[0])) {
        return p[1] + constant.substring(p[0].length());
      }
    }
    throw new IllegalArgumentException("MjOffsets constant with unknown prefix: " + constant);
  }

  private static Map<String, Integer> constants() throws IllegalAccessException {
    Map<String, Integer> out = new HashMap<>();
    for (Field f : MjOffsets.class.getDeclaredFields()) {
      int mod = f.getModifiers();
      if (Modifier.isStatic(mod) && Modifier.isFinal(mod) && f.getType() == int.class) {
        out.put(f.getName(), f.getInt(null));
      }
    }
    return out;
  }

  private static Map<String, Long> parse(String output) {
    Map<String, Long> out = new HashMap<>();
    for (String line : output.split("\n")) {
      if (!line.isBlank()) {
        String[] parts = line.trim().split(" ");
        out.put(parts[0], Long.parseLong(parts[1]));
      }
    }
    return out;
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return true;
      }
    }
    return false;
  }

  private static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "timed out: " + String.join(" ", command));
    assertEquals(0, p.exitValue(), String.join(" ", command) + " failed:\n" + output);
    return output;
  }
}
