package io.maml4j.plot;

import io.maml4j.eval.Curve;
import java.awt.BasicStroke;
import java.awt.geom.Ellipse2D;
import java.util.List;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYErrorRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * The MAML paper's fine-tuning comparison (Finn et al. 2017, Figure 4, left): average return
 * on held-out tasks against the number of gradient steps, one line per method, with error bars
 * of the 95% confidence interval over tasks.
 */
public final class AdaptationChart {
  /** CSV columns, one row per plotted point. */
  public static final List<String> COLUMNS = List.of("method", "step", "mean_return", "ci95_low", "ci95_high",
      "std", "tasks");

  private AdaptationChart() {}

  public static Figure build(String title, List<Curve> curves) {
    return build(title, "Average return", curves);
  }

  /**
   * The chart with another measure on the y axis, such as few-shot classification's query
   * accuracy.
   */
  public static Figure build(String title, String yLabel, List<Curve> curves) {
    if (curves.isEmpty()) {
      throw new IllegalArgumentException("nothing to plot: no evaluated method");
    }
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    Table.Builder table = new Table.Builder(COLUMNS.toArray(String[]::new));
    for (Curve c : curves) {
      YIntervalSeries s = new YIntervalSeries(c.label(), false, true);
      for (int step = 0; step <= c.steps(); step++) {
        double m = c.mean(step);
        double h = c.ci95(step);
        s.add(step, m, m - h, m + h);
        table.add(c.label(), step, m, m - h, m + h, c.std(step), c.tasks());
      }
      data.addSeries(s);
    }
    NumberAxis x = new NumberAxis("Number of gradient steps");
    x.setAutoRangeIncludesZero(false);
    // Without this the axis snaps to zero and step 0's marker sits on the plot's edge.
    x.setAutoRangeStickyZero(false);
    x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    NumberAxis y = new NumberAxis(yLabel);
    y.setAutoRangeIncludesZero(false);
    XYErrorRenderer r = new XYErrorRenderer();
    r.setDrawXError(false);
    r.setDrawYError(true);
    r.setDefaultLinesVisible(true);
    r.setDefaultShapesVisible(true);
    r.setCapLength(8);
    r.setErrorStroke(new BasicStroke(1.5f));
    for (int i = 0; i < curves.size(); i++) {
      r.setSeriesPaint(i, Figure.color(i));
      r.setSeriesStroke(i, new BasicStroke(2.5f));
      r.setSeriesShape(i, new Ellipse2D.Double(-4, -4, 8, 8));
    }
    // The error bars take their series' colour.
    r.setErrorPaint(null);
    XYPlot plot = new XYPlot(data, x, y, r);
    plot.setOrientation(PlotOrientation.VERTICAL);
    x.setLowerMargin(0.05);
    x.setUpperMargin(0.05);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    Figure.style(chart);
    return new Figure(chart, table.build());
  }
}
