package io.maml4j.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PathsChartTest {
  @TempDir
  Path dir;

  @Test
  void when_paths_drawn_expect_every_stage_and_the_goal_visible_and_in_csv() throws Exception {
    double[][][] paths = new double[3][][];
    for (int s = 0; s < 3; s++) {
      paths[s] = new double[6][];
      for (int t = 0; t < 6; t++) {
        paths[s][t] = new double[] {0.05 * t * (s + 1) / 3.0, 0.08 * t * (3 - s) / 3.0 - 0.1 * s};
      }
    }
    Figure f = PathsChart.build("paths", paths, new double[] {0.3, 0.2});
    Figure.Written w = f.write(dir.resolve("paths.png"), new ChartOptions(400, 400, false));
    ChartAssertions.assertDrawn(f, w, 400, 400);
    ChartAssertions.assertCsvMatches(f, w.csv(), 2, 3, -1, -1, 0);
    List<String[]> rows = ChartAssertions.readCsv(w.csv());
    assertEquals("goal", rows.get(rows.size() - 1)[0]);
    assertEquals("1 grad step", rows.get(7)[0]);
  }
}
