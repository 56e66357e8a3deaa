package io.maml4j.plot;

import io.maml4j.config.ConfigException;
import java.awt.BasicStroke;
import java.awt.Color;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.DeviationRenderer;
import org.jfree.data.xy.YIntervalSeries;
import org.jfree.data.xy.YIntervalSeriesCollection;

/**
 * Learning curves of training runs (Finn et al. 2017, Figure 5 style): average return before
 * and after adaptation against meta-iteration or environment steps. Runs sharing a label (seeds
 * of one configuration) are drawn as their mean with a shaded band of ±1 standard deviation
 * over seeds, over the iterations all of them completed.
 */
public final class LearningCurves {
  /** What the x axis counts. */
  public enum XAxis {
    ITERATION("iteration", "Meta-iteration"),
    ENV_STEPS("total_env_steps", "Environment steps");

    final String column;
    final String title;

    XAxis(String column, String title) {
      this.column = column;
      this.title = title;
    }

    /** Parses {@code iteration} or {@code env_steps}. */
    public static XAxis parse(String s) {
      return switch (s) {
        case "iteration", "iterations" -> ITERATION;
        case "env_steps", "env-steps", "steps" -> ENV_STEPS;
        default -> throw new IllegalArgumentException("x axis must be 'iteration' or 'env_steps', got '" + s + "'");
      };
    }
  }

  /** The runs of one label: typically the seeds of one configuration. */
  public record Group(String label, List<MetricsLog> runs) {
    public Group {
      runs = List.copyOf(runs);
      if (runs.isEmpty()) {
        throw new IllegalArgumentException("label '" + label + "' has no run");
      }
    }
  }

  /** CSV columns, one row per plotted point. */
  public static final List<String> COLUMNS = List.of("label", "metric", "x", "mean", "band_low", "band_high", "runs");

  private static final Map<String, String> NAMES = Map.of("pre_return", "pre-update", "post_return", "post-update");

  private LearningCurves() {}

  /** Display name of a metric: "pre-update" for pre_return, and so on. */
  static String displayName(String metric) {
    return NAMES.getOrDefault(metric, metric);
  }

  /**
   * Draws {@code metrics} of every group.
   *
   * @throws ConfigException if a run lacks a metric
   */
  public static Figure build(String title, List<Group> groups, List<String> metrics, XAxis xAxis) {
    if (groups.isEmpty() || metrics.isEmpty()) {
      throw new IllegalArgumentException("nothing to plot: " + groups.size() + " runs, " + metrics.size() + " metrics");
    }
    YIntervalSeriesCollection data = new YIntervalSeriesCollection();
    Table.Builder table = new Table.Builder(COLUMNS.toArray(String[]::new));
    DeviationRenderer r = new DeviationRenderer(true, false);
    r.setAlpha(0.2f);
    int series = 0;
    for (int g = 0; g < groups.size(); g++) {
      Group group = groups.get(g);
      int n = Integer.MAX_VALUE;
      for (MetricsLog run : group.runs()) {
        n = Math.min(n, run.rows().size());
      }
      List<double[]> xs = new ArrayList<>();
      for (MetricsLog run : group.runs()) {
        xs.add(run.column(xAxis.column));
      }
      for (int m = 0; m < metrics.size(); m++) {
        String metric = metrics.get(m);
        List<double[]> ys = new ArrayList<>();
        for (MetricsLog run : group.runs()) {
          ys.add(run.column(metric));
        }
        String name = groups.size() == 1 && group.label().isEmpty() ? displayName(metric)
            : group.label() + " " + displayName(metric);
        YIntervalSeries s = new YIntervalSeries(name, false, true);
        for (int i = 0; i < n; i++) {
          double[] xi = new double[group.runs().size()];
          double[] yi = new double[group.runs().size()];
          for (int k = 0; k < yi.length; k++) {
            xi[k] = xs.get(k)[i];
            yi[k] = ys.get(k)[i];
          }
          double x = io.maml4j.eval.Stats.mean(xi);
          double mean = io.maml4j.eval.Stats.mean(yi);
          double sd = io.maml4j.eval.Stats.std(yi);
          s.add(x, mean, mean - sd, mean + sd);
          table.add(group.label(), metric, x, mean, mean - sd, mean + sd, yi.length);
        }
        data.addSeries(s);
        Color c = Figure.color(groups.size() == 1 ? m : g);
        r.setSeriesPaint(series, c);
        r.setSeriesFillPaint(series, c);
        boolean dashed = metrics.size() > 1 && groups.size() > 1 && metric.equals("pre_return");
        r.setSeriesStroke(series, dashed
            ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 1f, new float[] {7f, 4f}, 0f)
            : new BasicStroke(2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        series++;
      }
    }
    NumberAxis x = new NumberAxis(xAxis.title);
    x.setAutoRangeIncludesZero(false);
    if (xAxis == XAxis.ITERATION) {
      x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
    }
    NumberAxis y = new NumberAxis("Average return");
    y.setAutoRangeIncludesZero(false);
    XYPlot plot = new XYPlot(data, x, y, r);
    JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
    Figure.style(chart);
    return new Figure(chart, table.build());
  }
}
