package io.maml4j.plot;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Polygon;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * 2D navigation paths for one goal (Finn et al. 2017, Figure 4, right): the trajectory before
 * adaptation and after each gradient step, with the goal marked by a star.
 */
public final class PathsChart {
  /** CSV columns: one row per point; the goal is the row whose stage is "goal". */
  public static final List<String> COLUMNS = List.of("stage", "t", "x", "y");

  private PathsChart() {}

  /** Legend name of stage {@code s}: "pre-update", "1 grad step", "2 grad steps", ... */
  public static String stageName(int s) {
    return s == 0 ? "pre-update" : s + (s == 1 ? " grad step" : " grad steps");
  }

  /**
   * @param paths [stage][point] {x, y}
   * @param goal {x, y}
   */
  public static Figure build(String title, double[][][] paths, double[] goal) {
    XYSeriesCollection data = new XYSeriesCollection();
    Table.Builder table = new Table.Builder(COLUMNS.toArray(String[]::new));
    XYLineAndShapeRenderer r = new XYLineAndShapeRenderer(true, false);
    for (int s = 0; s < paths.length; s++) {
      XYSeries series = new XYSeries(stageName(s), false, true);
      for (int t = 0; t < paths[s].length; t++) {
        series.add(paths[s][t][0], paths[s][t][1]);
        table.add(stageName(s), t, paths[s][t][0], paths[s][t][1]);
      }
      data.addSeries(series);
      r.setSeriesPaint(s, Figure.color(s));
      r.setSeriesStroke(s, new BasicStroke(s == 0 ? 2f : 2.5f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
          s == 0 ? new float[] {6f, 4f} : null, 0f));
    }
    XYSeries g = new XYSeries("goal", false, true);
    g.add(goal[0], goal[1]);
    table.add("goal", 0, goal[0], goal[1]);
    data.addSeries(g);
    int gi = paths.length;
    r.setSeriesLinesVisible(gi, false);
    r.setSeriesShapesVisible(gi, true);
    r.setSeriesShape(gi, star(11, 5));
    r.setSeriesPaint(gi, Color.BLACK);
    NumberAxis x = new NumberAxis("x");
    NumberAxis y = new NumberAxis("y");
    x.setAutoRangeIncludesZero(true);
    y.setAutoRangeIncludesZero(true);
    XYPlot plot = new XYPlot(data, x, y, r);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    Figure.style(chart);
    return new Figure(chart, table.build());
  }

  private static Polygon star(int outer, int inner) {
    Polygon p = new Polygon();
    for (int i = 0; i < 10; i++) {
      double a = Math.PI / 2 + i * Math.PI / 5;
      int rad = i % 2 == 0 ? outer : inner;
      p.addPoint((int) Math.round(rad * Math.cos(a)), (int) Math.round(-rad * Math.sin(a)));
    }
    return p;
  }
}
