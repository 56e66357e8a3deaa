package io.maml4j.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {
  @TempDir
  Path dir;

  static String line(int it, double pre, double post) {
    return "{\"iteration\":" + it + ",\"pre_return\":" + pre + ",\"post_return\":" + post + ",\"total_env_steps\":"
        + (it + 1) * 800 + "}\n";
  }

  @Test
  void when_last_line_truncated_expect_complete_lines_and_one_warning() throws Exception {
    Files.writeString(dir.resolve("metrics.jsonl"), line(0, -50, -40) + line(1, -45, -30) + "{\"iteration\":2,\"pre_ret");
    List<String> warnings = new ArrayList<>();
    MetricsLog m = MetricsLog.read(dir, warnings::add);
    assertEquals(2, m.rows().size());
    assertArrayEquals(new double[] {-40, -30}, m.column("post_return"), 0);
    assertEquals(1, warnings.size());
    assertTrue(warnings.get(0).contains("truncated last line"), warnings.get(0));
  }

  @Test
  void when_complete_expect_no_warning() throws Exception {
    Files.writeString(dir.resolve("metrics.jsonl"), line(0, -50, -40) + line(1, -45, -30));
    List<String> warnings = new ArrayList<>();
    assertEquals(2, MetricsLog.read(dir.resolve("metrics.jsonl"), warnings::add).rows().size());
    assertTrue(warnings.isEmpty());
  }

  @Test
  void when_run_empty_or_missing_expect_one_line_error() throws Exception {
    ConfigException missing = assertThrows(ConfigException.class, () -> MetricsLog.read(dir, w -> { }));
    assertTrue(missing.getMessage().contains("no metrics file"), missing.getMessage());
    Files.writeString(dir.resolve("metrics.jsonl"), "");
    ConfigException empty = assertThrows(ConfigException.class, () -> MetricsLog.read(dir, w -> { }));
    assertTrue(empty.getMessage().contains("empty run"), empty.getMessage());
    assertTrue(!empty.getMessage().contains("\n"));
    Files.writeString(dir.resolve("metrics.jsonl"), "{\"iteration\":0,\"pre");
    assertThrows(ConfigException.class, () -> MetricsLog.read(dir, w -> { }));
  }

  @Test
  void when_metric_missing_or_middle_line_damaged_expect_error_naming_it() throws Exception {
    Files.writeString(dir.resolve("metrics.jsonl"), line(0, -50, -40));
    MetricsLog m = MetricsLog.read(dir, w -> { });
    ConfigException e = assertThrows(ConfigException.class, () -> m.column("post_retrun"));
    assertTrue(e.getMessage().contains("no metric 'post_retrun'") && e.getMessage().contains("post_return"),
        e.getMessage());
    Files.writeString(dir.resolve("metrics.jsonl"), line(0, -50, -40) + "garbage\n" + line(2, -40, -20));
    ConfigException bad = assertThrows(ConfigException.class, () -> MetricsLog.read(dir, w -> { }));
    assertTrue(bad.getMessage().contains("line 2"), bad.getMessage());
  }
}
