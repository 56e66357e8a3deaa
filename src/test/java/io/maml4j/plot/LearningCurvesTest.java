package io.maml4j.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.maml4j.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LearningCurvesTest {
  @TempDir
  Path dir;

  private MetricsLog run(String name, int n, double offset) throws Exception {
    Path d = Files.createDirectories(dir.resolve(name));
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(MetricsLogTest.line(i, -100 + 6 * i + offset, -80 + 7 * i + offset));
    }
    Files.writeString(d.resolve("metrics.jsonl"), sb.toString());
    return MetricsLog.read(d, w -> { });
  }

  @Test
  void when_seeds_share_a_label_expect_mean_and_band_over_seeds() throws Exception {
    // Two seeds of "maml" (one shorter: only common iterations count), one run of "other".
    var maml = new LearningCurves.Group("maml", List.of(run("a-seed1", 8, 0), run("a-seed2", 7, 4)));
    var other = new LearningCurves.Group("other", List.of(run("b-seed1", 8, -30)));
    Figure f = LearningCurves.build("curves", List.of(maml, other), List.of("pre_return", "post_return"),
        LearningCurves.XAxis.ITERATION);
    Figure.Written w = f.write(dir.resolve("out/curves.png"), new ChartOptions(500, 350, false));
    ChartAssertions.assertDrawn(f, w, 500, 350);
    ChartAssertions.assertCsvMatches(f, w.csv(), 2, 3, 4, 5, 0);
    List<String[]> rows = ChartAssertions.readCsv(w.csv());
    assertEquals(1 + 7 * 2 + 8 * 2, rows.size());
    // First maml pre-update point: seeds at -100 and -96: mean -98, sample std 2*sqrt(2).
    String[] r = rows.get(1);
    assertEquals("maml", r[0]);
    assertEquals("pre_return", r[1]);
    assertEquals(-98, Double.parseDouble(r[3]), 1e-12);
    assertEquals(-98 - 2 * Math.sqrt(2), Double.parseDouble(r[4]), 1e-12);
    assertEquals(2, Integer.parseInt(r[6]));
  }

  @Test
  void when_x_is_env_steps_expect_mean_steps_on_x() throws Exception {
    var g = new LearningCurves.Group("", List.of(run("c", 5, 0)));
    Figure f = LearningCurves.build("t", List.of(g), List.of("post_return"), LearningCurves.XAxis.ENV_STEPS);
    assertEquals(1600.0, f.chart().getXYPlot().getDataset().getXValue(0, 1), 0);
  }

  @Test
  void when_metric_absent_expect_config_error() throws Exception {
    var g = new LearningCurves.Group("", List.of(run("d", 3, 0)));
    assertThrows(ConfigException.class,
        () -> LearningCurves.build("t", List.of(g), List.of("val_return"), LearningCurves.XAxis.ITERATION));
  }
}
