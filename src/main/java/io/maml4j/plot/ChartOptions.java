package io.maml4j.plot;

/**
 * How a chart is written.
 *
 * @param width image width in pixels
 * @param height image height in pixels
 * @param svg also write an SVG beside the PNG
 */
public record ChartOptions(int width, int height, boolean svg) {
  public static final int MIN_SIZE = 100;
  public static final int MAX_SIZE = 10_000;

  public ChartOptions {
    if (width < MIN_SIZE || width > MAX_SIZE || height < MIN_SIZE || height > MAX_SIZE) {
      throw new IllegalArgumentException("chart size must be between " + MIN_SIZE + " and " + MAX_SIZE
          + " pixels on each side, got " + width + "x" + height);
    }
  }

  public static ChartOptions defaults() {
    return new ChartOptions(900, 600, false);
  }
}
