package io.maml4j.cli;

import io.maml4j.plot.ChartOptions;
import picocli.CommandLine.Option;

/** The chart options every plotting command takes. */
public final class ChartMixin {
  @Option(names = "--width", defaultValue = "900", description = "Chart width in pixels (default ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--height", defaultValue = "600", description = "Chart height in pixels (default ${DEFAULT-VALUE}).")
  int height;

  @Option(names = "--svg", description = "Also write an SVG beside each PNG.")
  boolean svg;

  ChartOptions options() {
    return new ChartOptions(width, height, svg);
  }
}
