package io.maml4j.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.maml4j.plot.ChartOptions;
import io.maml4j.plot.Figure;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Charts are PNGs of the requested size with something drawn on them. */
class SinusoidChartTest {
  @TempDir
  Path dir;

  static {
    System.setProperty("java.awt.headless", "true");
  }

  private static int distinctColours(BufferedImage img) {
    java.util.Set<Integer> c = new java.util.HashSet<>();
    for (int x = 0; x < img.getWidth(); x += 3) {
      for (int y = 0; y < img.getHeight(); y += 3) {
        c.add(img.getRGB(x, y));
      }
    }
    return c.size();
  }

  @Test
  void when_saving_both_charts_expect_non_blank_pngs_of_the_requested_size() throws Exception {
    Path errors = dir.resolve("mse.png");
    Figure.writeSideBySide(errors, new ChartOptions(640, 400, false), SinusoidChart.errorChart("t", List.of(
        new SinusoidChart.ErrorCurve("MAML", new double[] {3, 0.5, 0.4}, new double[] {0.3, 0.1, 0.1}),
        new SinusoidChart.ErrorCurve("pretrained", new double[] {3, 2.9, 2.8}, new double[] {0.3, 0.3, 0.3}))));
    BufferedImage img = ImageIO.read(errors.toFile());
    assertEquals(640, img.getWidth());
    assertEquals(400, img.getHeight());
    assertTrue(distinctColours(img) > 5, "chart looks blank");
    double[] grid = {-5, 0, 5};
    Path fit = dir.resolve("fit.png");
    Figure.writeSideBySide(fit, new ChartOptions(900, 300, false),
        SinusoidChart.fitChart("a", grid, new double[] {0, 1, 0}, List.of(new SinusoidChart.Curve("pre", grid)),
            new double[] {1}, new double[] {1}),
        SinusoidChart.fitChart("b", grid, new double[] {0, 1, 0}, List.of(), new double[] {1}, new double[] {1}));
    img = ImageIO.read(fit.toFile());
    assertEquals(900, img.getWidth());
    assertEquals(300, img.getHeight());
  }
}
