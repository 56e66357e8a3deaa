package io.maml4j.plot;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.awt.RenderingHints;
import java.awt.geom.Rectangle2D;
import io.maml4j.files.AtomicFiles;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import org.jfree.chart.ChartRenderingInfo;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.plot.XYPlot;
import org.jfree.svg.SVGGraphics2D;

/**
 * A chart together with the table of the numbers it plots. {@link #write} puts the PNG, the
 * CSV (same name, {@code .csv}) and optionally the SVG side by side.
 */
public record Figure(JFreeChart chart, Table data) {
  static {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
  }

  /** What was written, and where the plot's data area lies in the image (for checks). */
  public record Written(Path png, Path csv, Path svg, Rectangle2D dataArea) {}

  /** Writes {@code png}, its CSV and (if asked) SVG; creates parent directories. */
  public Written write(Path png, ChartOptions options) {
    String name = png.getFileName().toString();
    String stem = name.toLowerCase(java.util.Locale.ROOT).endsWith(".png") ? name.substring(0, name.length() - 4) : name;
    Path dir = png.toAbsolutePath().getParent();
    Path pngFile = dir.resolve(stem + ".png");
    Path csv = dir.resolve(stem + ".csv");
    Path svg = options.svg() ? dir.resolve(stem + ".svg") : null;
    ChartRenderingInfo info = new ChartRenderingInfo();
    // Rendered in memory, then written atomically: a full disk leaves the old chart, not a
    // truncated PNG (nor ImageIO's stack trace from its stream-closer thread).
    AtomicFiles.write(pngFile, png(options, info));
    data.write(csv);
    if (svg != null) {
      SVGGraphics2D g = new SVGGraphics2D(options.width(), options.height());
      chart.draw(g, new Rectangle2D.Double(0, 0, options.width(), options.height()));
      AtomicFiles.write(svg, g.getSVGDocument());
    }
    return new Written(pngFile, csv, svg, info.getPlotInfo().getDataArea());
  }

  private byte[] png(ChartOptions options, ChartRenderingInfo info) {
    return encode(out -> ChartUtils.writeChartAsPNG(out, chart, options.width(), options.height(), info));
  }

  /**
   * Draws {@code panels} side by side, each {@code options.width() / panels.length} wide, into
   * one PNG written atomically (a full disk leaves the old image). No CSV: the caller writes the
   * numbers; {@code options.svg()} is not supported here.
   *
   * @throws IllegalArgumentException when a panel would be narrower than {@link ChartOptions#MIN_SIZE}
   */
  public static Path writeSideBySide(Path png, ChartOptions options, JFreeChart... panels) {
    int w = options.width() / Math.max(1, panels.length);
    if (panels.length == 0 || w < ChartOptions.MIN_SIZE || options.svg()) {
      throw new IllegalArgumentException("side-by-side charts need at least one panel, " + ChartOptions.MIN_SIZE
          + " pixels of width per panel and no SVG, got " + panels.length + " panels in " + options.width()
          + " pixels" + (options.svg() ? " with SVG" : ""));
    }
    BufferedImage img = new BufferedImage(options.width(), options.height(), BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    for (int i = 0; i < panels.length; i++) {
      g.drawImage(panels[i].createBufferedImage(w, options.height()), i * w, 0, null);
    }
    g.dispose();
    AtomicFiles.write(png, encode(out -> ChartUtils.writeBufferedImageAsPNG(out, img)));
    return png;
  }

  private interface Encoder {
    void encode(ByteArrayOutputStream out) throws IOException;
  }

  /** PNG bytes encoded in memory, so that the file is written atomically in one piece. */
  private static byte[] encode(Encoder encoder) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try {
      encoder.encode(bytes);
    } catch (IOException e) {
      // A ByteArrayOutputStream does not fail; the encoder itself did.
      throw new UncheckedIOException("cannot encode the chart as PNG: " + e.getMessage(), e);
    }
    return bytes.toByteArray();
  }

  /** Series colours: distinguishable, colour-blind-aware (Tableau 10). */
  static final Color[] PALETTE = {
      new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd),
      new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f), new Color(0xbcbd22), new Color(0x17becf)};

  static Color color(int i) {
    return PALETTE[Math.floorMod(i, PALETTE.length)];
  }

  /** The house look: white plot, light grid, anti-aliased, readable fonts. */
  static void style(JFreeChart chart) {
    chart.setBackgroundPaint(Color.WHITE);
    chart.setAntiAlias(true);
    chart.setTextAntiAlias(RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    chart.getTitle().setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(new Color(0xdddddd));
    plot.setRangeGridlinePaint(new Color(0xdddddd));
    plot.setOutlinePaint(new Color(0x999999));
    Font label = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    plot.getDomainAxis().setLabelFont(label);
    plot.getRangeAxis().setLabelFont(label);
    if (chart.getLegend() != null) {
      chart.getLegend().setItemFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      chart.getLegend().setFrame(org.jfree.chart.block.BlockBorder.NONE);
    }
  }
}
