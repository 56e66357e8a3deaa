package io.maml4j.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.eval.Curve;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdaptationChartTest {
  @TempDir
  Path dir;

  private static Curve curve(String label, double base, double gain) {
    double[][] r = new double[4][5];
    for (int s = 0; s < 4; s++) {
      for (int t = 0; t < 5; t++) {
        r[s][t] = base + gain * Math.min(s, 1) + s + (t - 2) * 1.5;
      }
    }
    return new Curve(label, r);
  }

  @Test
  void when_methods_compared_expect_png_of_requested_size_with_every_point_drawn() throws Exception {
    List<Curve> curves = List.of(curve("MAML", -40, 25), curve("pretrained", -45, 5), curve("random", -90, 10));
    Figure f = AdaptationChart.build("test", curves);
    Figure.Written w = f.write(dir.resolve("compare.png"), new ChartOptions(640, 420, true));
    ChartAssertions.assertDrawn(f, w, 640, 420);
    assertTrue(Files.readString(w.svg()).contains("<svg"));
    // CSV: method, step, mean, ci_low, ci_high, std, tasks; equals the plotted series and the curve.
    ChartAssertions.assertCsvMatches(f, w.csv(), 1, 2, 3, 4, 0);
    List<String[]> rows = ChartAssertions.readCsv(w.csv());
    assertEquals(AdaptationChart.COLUMNS, List.of(rows.get(0)));
    String[] r = rows.get(2);
    assertEquals("MAML", r[0]);
    assertEquals(1, Integer.parseInt(r[1]));
    assertEquals(curves.get(0).mean(1), Double.parseDouble(r[2]), 0);
    assertEquals(curves.get(0).mean(1) + curves.get(0).ci95(1), Double.parseDouble(r[4]), 0);
    assertEquals(5, Integer.parseInt(r[6]));
  }
}
