package io.maml4j.experiments;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Draws the sinusoid figures of the MAML paper from numbers it is given: mean squared error
 * against gradient steps (Figure 3) and a task's curve before and after adaptation (Figure 2).
 * Headless; it never trains or evaluates anything, and {@link io.maml4j.plot.Figure#writeSideBySide}
 * writes them.
 */
public final class SinusoidChart {
  private static final Color[] COLORS = {
    new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c), new Color(0xff7f0e), new Color(0x9467bd)};

  private SinusoidChart() {}

  /** One line of the error chart: mean error after 0..N steps with a 95% band. */
  public record ErrorCurve(String label, double[] mean, double[] ci95) {
    public ErrorCurve {
      if (mean.length != ci95.length || mean.length == 0) {
        throw new IllegalArgumentException("an error curve needs equal, non-empty mean and interval arrays, got "
            + mean.length + " and " + ci95.length);
      }
      mean = mean.clone();
      ci95 = ci95.clone();
    }
  }

  /** One curve of the fit chart, drawn as a line over the grid. */
  public record Curve(String label, double[] y) {
    public Curve {
      y = y.clone();
    }
  }

  /** Mean squared error against number of gradient steps, one line with a shaded 95% band per curve. */
  public static JFreeChart errorChart(String title, List<ErrorCurve> curves) {
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    for (ErrorCurve c : curves) {
      YIntervalSeries s = new YIntervalSeries(c.label());
      for (int i = 0; i < c.mean().length; i++) {
        double m = c.mean()[i];
        s.add(i, m, Math.max(0, m - c.ci95()[i]), m + c.ci95()[i]);
      }
      data.addSeries(s);
    }
    DeviationRenderer r = new DeviationRenderer(true, true);
    for (int i = 0; i < curves.size(); i++) {
      Color col = COLORS[i % COLORS.length];
      r.setSeriesPaint(i, col);
      r.setSeriesFillPaint(i, col);
      r.setSeriesStroke(i, new BasicStroke(2f));
      r.setSeriesShape(i, new Ellipse2D.Double(-3, -3, 6, 6));
    }
    r.setAlpha(0.2f);
    NumberAxis x = new NumberAxis("number of gradient steps");
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = new NumberAxis("mean squared error");
    XYPlot plot = new XYPlot(data, x, y, r);
    style(plot);
    return new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
  }

  /**
   * The true function, the model's curves (before and after adaptation) over {@code grid}, and
   * the K points it adapted on.
   */
  public static JFreeChart fitChart(String title, double[] grid, double[] truth, List<Curve> curves,
      double[] pointsX, double[] pointsY) {
    XYSeriesCollection lines = new XYSeriesCollection();
    lines.addSeries(series("ground truth", grid, truth));
    for (Curve c : curves) {
      lines.addSeries(series(c.label(), grid, c.y()));
    }
    XYLineAndShapeRenderer lr = new XYLineAndShapeRenderer(true, false);
    lr.setSeriesPaint(0, Color.BLACK);
    lr.setSeriesStroke(0, new BasicStroke(2.5f));
    for (int i = 0; i < curves.size(); i++) {
      lr.setSeriesPaint(i + 1, COLORS[i % COLORS.length]);
      lr.setSeriesStroke(i + 1, new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 1f,
          i == 0 ? new float[] {6f, 4f} : null, 0f));
    }
    NumberAxis x = new NumberAxis("x");
    NumberAxis y = new NumberAxis("y");
    XYPlot plot = new XYPlot(lines, x, y, lr);
    XYSeriesCollection points = new XYSeriesCollection(series("points used for gradient", pointsX, pointsY));
    XYLineAndShapeRenderer pr = new XYLineAndShapeRenderer(false, true);
    pr.setSeriesPaint(0, new Color(0x8c564b));
    pr.setSeriesShape(0, new java.awt.geom.Rectangle2D.Double(-4, -4, 8, 8));
    plot.setDataset(1, points);
    plot.setRenderer(1, pr);
    style(plot);
    return new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
  }

  private static XYSeries series(String label, double[] xs, double[] ys) {
    XYSeries s = new XYSeries(label, false, true);
    for (int i = 0; i < xs.length; i++) {
      s.add(xs[i], ys[i]);
    }
    return s;
  }

  private static void style(XYPlot plot) {
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));
  }
}
