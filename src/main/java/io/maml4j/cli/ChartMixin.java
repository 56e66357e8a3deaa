package io.maml4j.cli;

import io.maml4j.plot.ChartOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The chart options every plotting command takes: where to write it, its size, and SVG or not. */
public final class ChartMixin {
  @Option(names = "--out", paramLabel = "PNG",
      description = "Chart PNG; its CSV (and SVG with --svg) go beside it (default: see the command's description).")
  Path out;

  @Option(names = "--width", defaultValue = "900", description = "Chart width in pixels (default ${DEFAULT-VALUE}).")
  int width;

  @Option(names = "--height", defaultValue = "600", description = "Chart height in pixels (default ${DEFAULT-VALUE}).")
  int height;

  @Option(names = "--svg", description = "Also write an SVG beside each PNG.")
  boolean svg;

  /** The chart file given, or {@code fallback}. */
  Path out(Path fallback) {
    return out != null ? out : fallback;
  }

  ChartOptions options() {
    return new ChartOptions(width, height, svg);
  }
}
