package io.maml4j.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Paint;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.jfree.chart.plot.XYPlot;
import org.jfree.data.xy.IntervalXYDataset;
import org.jfree.data.xy.XYDataset;

/** Checks shared by the chart tests: a real PNG of the asked size, series visibly drawn, CSV = data. */
final class ChartAssertions {
  private ChartAssertions() {}

  /** Reads the PNG and checks its size and that every plotted point has its series' colour nearby. */
  static BufferedImage assertDrawn(Figure f, Figure.Written w, int width, int height) throws IOException {
    byte[] head = Arrays.copyOf(Files.readAllBytes(w.png()), 8);
    assertTrue(Arrays.equals(head, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'}), "PNG signature");
    BufferedImage img = ImageIO.read(w.png().toFile());
    assertNotNull(img, "not a readable image: " + w.png());
    assertEquals(width, img.getWidth());
    assertEquals(height, img.getHeight());
    XYPlot plot = f.chart().getXYPlot();
    XYDataset d = plot.getDataset();
    Rectangle2D area = w.dataArea();
    assertTrue(area.getWidth() > 0.3 * width && area.getHeight() > 0.3 * height, "data area " + area);
    int background = Color.WHITE.getRGB();
    for (int s = 0; s < d.getSeriesCount(); s++) {
      Paint p = plot.getRenderer().getSeriesPaint(s);
      Color c = p instanceof Color col ? col : null;
      int reach = 3 + longestGap(plot.getRenderer().getSeriesStroke(s));
      for (int i = 0; i < d.getItemCount(s); i++) {
        double px = plot.getDomainAxis().valueToJava2D(d.getXValue(s, i), area, plot.getDomainAxisEdge());
        double py = plot.getRangeAxis().valueToJava2D(d.getYValue(s, i), area, plot.getRangeAxisEdge());
        boolean found = false;
        for (int dx = -reach; dx <= reach && !found; dx++) {
          for (int dy = -reach; dy <= reach && !found; dy++) {
            int x = (int) Math.round(px) + dx;
            int y = (int) Math.round(py) + dy;
            if (x < 0 || y < 0 || x >= width || y >= height) {
              continue;
            }
            int rgb = img.getRGB(x, y);
            found = c == null ? rgb != background : close(new Color(rgb), c);
          }
        }
        assertTrue(found, "series " + d.getSeriesKey(s) + " point " + i + " (" + d.getXValue(s, i) + ", "
            + d.getYValue(s, i) + ") not drawn near pixel (" + Math.round(px) + ", " + Math.round(py) + ")");
      }
    }
    return img;
  }

  /**
   * The longest gap of a dashed stroke, in pixels (0 for a solid one). A plotted point can fall
   * inside a gap, and where the gaps fall depends on the path's length in pixels before the
   * point, so on every pixel of layout (fonts, tick labels, legend): a fixed ±3-pixel search
   * passed or failed by chance on the dashed series (one point was found exactly 3 pixels away).
   */
  private static int longestGap(java.awt.Stroke stroke) {
    if (!(stroke instanceof java.awt.BasicStroke b) || b.getDashArray() == null) {
      return 0;
    }
    float[] dash = b.getDashArray();
    double gap = 0;
    for (int i = 1; i < dash.length; i += 2) {
      gap = Math.max(gap, dash[i] * 1.0);
    }
    return (int) Math.ceil(gap);
  }

  private static boolean close(Color a, Color b) {
    int dr = a.getRed() - b.getRed();
    int dg = a.getGreen() - b.getGreen();
    int db = a.getBlue() - b.getBlue();
    return dr * dr + dg * dg + db * db < 50 * 50;
  }

  /** Parses a CSV written by {@link Table} (no quoted cells in these tests). */
  static List<String[]> readCsv(java.nio.file.Path csv) throws IOException {
    List<String[]> out = new ArrayList<>();
    for (String line : Files.readAllLines(csv)) {
      out.add(line.split(",", -1));
    }
    return out;
  }

  /**
   * Checks that the CSV rows, in order, are the dataset's points: x in column {@code xCol}, y in
   * {@code yCol}, and for interval datasets the y interval in {@code lowCol}/{@code highCol} (or -1).
   */
  static void assertCsvMatches(Figure f, java.nio.file.Path csv, int xCol, int yCol, int lowCol, int highCol,
      int extraRows) throws IOException {
    List<String[]> rows = readCsv(csv);
    XYDataset d = f.chart().getXYPlot().getDataset();
    int r = 1;
    for (int s = 0; s < d.getSeriesCount(); s++) {
      for (int i = 0; i < d.getItemCount(s); i++, r++) {
        String[] row = rows.get(r);
        assertEquals(d.getXValue(s, i), Double.parseDouble(row[xCol]), 0, "x of row " + r);
        assertEquals(d.getYValue(s, i), Double.parseDouble(row[yCol]), 0, "y of row " + r);
        if (lowCol >= 0) {
          IntervalXYDataset id = (IntervalXYDataset) d;
          assertEquals(id.getStartYValue(s, i), Double.parseDouble(row[lowCol]), 0, "low of row " + r);
          assertEquals(id.getEndYValue(s, i), Double.parseDouble(row[highCol]), 0, "high of row " + r);
        }
      }
    }
    assertEquals(r + extraRows, rows.size(), "CSV has rows the chart does not plot, or misses some");
  }
}
