package io.maml4j.render;

import io.maml4j.autodiff.Arena;
import io.maml4j.autodiff.Tape;
import io.maml4j.autodiff.Tensor;
import io.maml4j.env.StepResult;
import io.maml4j.locomotion.LocomotionEnv;
import io.maml4j.policy.Params;
import io.maml4j.policy.Policy;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.metadata.IIOMetadata;
import javax.imageio.metadata.IIOMetadataNode;
import javax.imageio.stream.ImageOutputStream;

/**
 * Pictures of locomotion episodes: a PNG strip with one row of evenly spaced frames per episode
 * (e.g. before and after adaptation), and an animated GIF playing the episodes side by side in
 * real time. Frames are drawn by a {@link RobotPainter} from the recorded qpos.
 */
public final class Filmstrip {
  private static final int HEADER = 34;
  private static final int CAPTION = 16;
  private static final Font TITLE_FONT = new Font(Font.SANS_SERIF, Font.BOLD, 13);
  private static final Font TEXT_FONT = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

  private Filmstrip() {}

  /**
   * One recorded episode.
   *
   * @param title what the row shows, e.g. "before adaptation"
   * @param qpos the state at reset and after every step (length = steps + 1)
   * @param rewards the reward of every step
   * @param dt seconds per step
   */
  public record Episode(String title, List<double[]> qpos, double[] rewards, double dt) {
    public Episode {
      if (qpos.size() != rewards.length + 1) {
        throw new IllegalArgumentException("need one more state than rewards, got " + qpos.size() + " and "
            + rewards.length);
      }
      qpos = qpos.stream().map(double[]::clone).toList();
      rewards = rewards.clone();
    }

    @Override
    public double[] rewards() {
      return rewards.clone();
    }

    /** Number of steps. */
    public int steps() {
      return rewards.length;
    }

    /** Undiscounted return. */
    public double episodeReturn() {
      double s = 0;
      for (double r : rewards) {
        s += r;
      }
      return s;
    }

    /** Mean forward velocity of the root over the episode, (x_T - x_0) / (T dt). */
    public double meanVelocity() {
      return steps() == 0 ? 0 : (qpos.get(steps())[0] - qpos.get(0)[0]) / (steps() * dt);
    }
  }

  /**
   * Runs one episode of {@code policy} with {@code params} (shared, or stacked for one task) from
   * {@code env.reset(seed)} and records its states. Actions are the distribution's mode when
   * {@code actionRng} is null, else sampled from it.
   */
  public static Episode record(String title, LocomotionEnv env, Policy policy, Params params, long seed,
      SplittableRandom actionRng, int horizon) {
    List<double[]> states = new ArrayList<>();
    List<Double> rewards = new ArrayList<>();
    double[] obs = env.reset(seed);
    states.add(env.qpos());
    var type = params.list().get(0).dataType();
    try (Tape.Scope ng = Tape.noGrad()) {
      for (int t = 0; t < horizon; t++) {
        double[] action;
        try (Arena arena = Arena.open()) {
          var dist = policy.forward(params, Tensor.of(obs, type, 1, 1, obs.length));
          action = actionRng == null ? dist.mode() : dist.sample(actionRng);
        }
        StepResult r = env.step(action);
        obs = r.observation();
        states.add(env.qpos());
        rewards.add(r.reward());
        if (r.done()) {
          break;
        }
      }
    }
    return new Episode(title, states, rewards.stream().mapToDouble(Double::doubleValue).toArray(), env.dt());
  }

  /** How panels are framed and captioned. */
  public record Layout(int panelWidth, int panelHeight, double metresAcross, List<String> notes, double[] goal) {
    public Layout {
      notes = List.copyOf(notes);
      goal = goal == null ? null : goal.clone();
    }

    @Override
    public double[] goal() {
      return goal == null ? null : goal.clone();
    }
  }

  /** Writes a PNG with one row of {@code frames} evenly spaced frames per episode. */
  public static void writeStrip(Path png, List<Episode> episodes, RobotPainter painter, int frames, Layout layout) {
    if (frames < 1) {
      throw new IllegalArgumentException("frames must be at least 1, got " + frames);
    }
    int top = 6 + 14 * layout.notes().size();
    int rowHeight = HEADER + layout.panelHeight() + CAPTION;
    BufferedImage image = new BufferedImage(frames * layout.panelWidth() + (frames + 1) * 4,
        top + episodes.size() * rowHeight + 6, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = start(image);
    int noteY = 16;
    for (String note : layout.notes()) {
      g.setFont(TEXT_FONT);
      g.setColor(Color.DARK_GRAY);
      g.drawString(note, 6, noteY);
      noteY += 14;
    }
    for (int row = 0; row < episodes.size(); row++) {
      Episode e = episodes.get(row);
      int y = top + row * rowHeight;
      header(g, e, 6, y + 20);
      for (int k = 0; k < frames; k++) {
        int t = frames == 1 ? e.steps() : (int) Math.round((double) k * e.steps() / (frames - 1));
        int x = 4 + k * (layout.panelWidth() + 4);
        panel(g, painter, e, t, x, y + HEADER, layout);
        g.setFont(TEXT_FONT);
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format(Locale.ROOT, "t = %.2f s", t * e.dt()), x + 2, y + HEADER + layout.panelHeight() + 12);
      }
    }
    g.dispose();
    write(image, "png", png);
  }

  /**
   * Writes an animated GIF showing the episodes side by side, one frame per {@code every} steps,
   * played in real time; a finished episode holds its last frame.
   */
  public static void writeGif(Path gif, List<Episode> episodes, RobotPainter painter, int every, Layout layout) {
    if (every < 1) {
      throw new IllegalArgumentException("every must be at least 1, got " + every);
    }
    int longest = episodes.stream().mapToInt(Episode::steps).max().orElse(0);
    int width = episodes.size() * layout.panelWidth() + (episodes.size() + 1) * 4;
    int height = HEADER + layout.panelHeight() + CAPTION;
    double dt = episodes.isEmpty() ? 0.05 : episodes.get(0).dt();
    int delayCentis = (int) Math.max(2, Math.round(every * dt * 100));
    // Encoded in memory, then written atomically: a full disk leaves no truncated GIF behind.
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try {
      ImageWriter writer = ImageIO.getImageWritersByFormatName("gif").next();
      try (ImageOutputStream out = new javax.imageio.stream.MemoryCacheImageOutputStream(bytes)) {
        writer.setOutput(out);
        writer.prepareWriteSequence(null);
        for (int t = 0; t <= longest; t += every) {
          BufferedImage frame = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
          Graphics2D g = start(frame);
          for (int i = 0; i < episodes.size(); i++) {
            Episode e = episodes.get(i);
            int x = 4 + i * (layout.panelWidth() + 4);
            shortHeader(g, e, x + 2, 20);
            int step = Math.min(t, e.steps());
            panel(g, painter, e, step, x, HEADER, layout);
            g.setFont(TEXT_FONT);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format(Locale.ROOT, "t = %.2f s%s", step * e.dt(), step < t ? " (ended)" : ""), x + 2,
                HEADER + layout.panelHeight() + 12);
          }
          g.dispose();
          BufferedImage indexed = toPalette(frame);
          ImageWriteParam param = writer.getDefaultWriteParam();
          IIOMetadata meta = writer.getDefaultImageMetadata(new ImageTypeSpecifier(indexed), param);
          animate(meta, delayCentis, t == 0);
          writer.writeToSequence(new IIOImage(indexed, null, meta), param);
        }
        writer.endWriteSequence();
      } finally {
        writer.dispose();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + gif + " as GIF: " + e.getMessage(), e);
    }
    io.maml4j.files.AtomicFiles.write(gif, bytes.toByteArray());
  }

  /**
   * A fixed palette: a 6 x 6 x 6 colour cube and 40 greys. The JDK's own quantiser picks garish
   * colours for these drawings; the fixed one keeps hues and antialiased edges close.
   */
  private static final IndexColorModel PALETTE = palette();

  private static IndexColorModel palette() {
    byte[] r = new byte[256];
    byte[] g = new byte[256];
    byte[] b = new byte[256];
    for (int i = 0; i < 216; i++) {
      r[i] = (byte) (51 * (i / 36));
      g[i] = (byte) (51 * (i / 6 % 6));
      b[i] = (byte) (51 * (i % 6));
    }
    for (int i = 0; i < 40; i++) {
      byte v = (byte) Math.round(i * 255.0 / 39);
      r[216 + i] = v;
      g[216 + i] = v;
      b[216 + i] = v;
    }
    return new IndexColorModel(8, 256, r, g, b);
  }

  private static BufferedImage toPalette(BufferedImage rgb) {
    BufferedImage out = new BufferedImage(rgb.getWidth(), rgb.getHeight(), BufferedImage.TYPE_BYTE_INDEXED, PALETTE);
    WritableRaster raster = out.getRaster();
    for (int y = 0; y < rgb.getHeight(); y++) {
      for (int x = 0; x < rgb.getWidth(); x++) {
        int c = rgb.getRGB(x, y);
        int red = (c >> 16) & 0xff;
        int green = (c >> 8) & 0xff;
        int blue = c & 0xff;
        int spread = Math.max(red, Math.max(green, blue)) - Math.min(red, Math.min(green, blue));
        int index = spread < 16
            ? 216 + (int) Math.round((red + green + blue) / 3.0 * 39 / 255)
            : 36 * Math.round(red / 51f) + 6 * Math.round(green / 51f) + Math.round(blue / 51f);
        raster.setSample(x, y, 0, index);
      }
    }
    return out;
  }

  /** Sets a GIF frame's delay and, on the first frame, the loop-forever extension. */
  private static void animate(IIOMetadata meta, int delayCentis, boolean first) throws IOException {
    String format = meta.getNativeMetadataFormatName();
    IIOMetadataNode root = (IIOMetadataNode) meta.getAsTree(format);
    IIOMetadataNode control = child(root, "GraphicControlExtension");
    control.setAttribute("disposalMethod", "none");
    control.setAttribute("userInputFlag", "FALSE");
    control.setAttribute("transparentColorFlag", "FALSE");
    control.setAttribute("delayTime", Integer.toString(delayCentis));
    control.setAttribute("transparentColorIndex", "0");
    if (first) {
      IIOMetadataNode apps = child(root, "ApplicationExtensions");
      IIOMetadataNode app = new IIOMetadataNode("ApplicationExtension");
      app.setAttribute("applicationID", "NETSCAPE");
      app.setAttribute("authenticationCode", "2.0");
      app.setUserObject(new byte[] {1, 0, 0});
      apps.appendChild(app);
    }
    meta.setFromTree(format, root);
  }

  private static IIOMetadataNode child(IIOMetadataNode root, String name) {
    for (int i = 0; i < root.getLength(); i++) {
      if (root.item(i).getNodeName().equalsIgnoreCase(name)) {
        return (IIOMetadataNode) root.item(i);
      }
    }
    IIOMetadataNode node = new IIOMetadataNode(name);
    root.appendChild(node);
    return node;
  }

  private static Graphics2D start(BufferedImage image) {
    Graphics2D g = image.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(new Color(0xf6, 0xf6, 0xf6));
    g.fillRect(0, 0, image.getWidth(), image.getHeight());
    return g;
  }

  private static void header(Graphics2D g, Episode e, int x, int y) {
    g.setColor(Color.BLACK);
    g.setFont(TITLE_FONT);
    g.drawString(e.title(), x, y - 6);
    g.setFont(TEXT_FONT);
    g.setColor(Color.DARK_GRAY);
    g.drawString(String.format(Locale.ROOT, "return %.1f over %d steps, mean forward velocity %.2f m/s",
        e.episodeReturn(), e.steps(), e.meanVelocity()), x, y + 8);
  }

  /** A two-line header that fits a GIF panel: the title up to any parenthesis, then the figures. */
  private static void shortHeader(Graphics2D g, Episode e, int x, int y) {
    String title = e.title();
    int cut = title.indexOf(" (");
    g.setColor(Color.BLACK);
    g.setFont(TITLE_FONT);
    g.drawString(cut > 0 ? title.substring(0, cut) : title, x, y - 6);
    g.setFont(TEXT_FONT);
    g.setColor(Color.DARK_GRAY);
    g.drawString(String.format(Locale.ROOT, "return %.1f, mean velocity %.2f m/s", e.episodeReturn(), e.meanVelocity()),
        x, y + 8);
  }

  private static void panel(Graphics2D g, RobotPainter painter, Episode e, int t, int x, int y, Layout layout) {
    double[] q = e.qpos().get(t);
    double[] torso = painter.bodyPosition(q, 1);
    List<double[]> trail = null;
    if (painter.view() == RobotPainter.View.TOP) {
      trail = new ArrayList<>();
      for (int s = 0; s <= t; s++) {
        trail.add(new double[] {e.qpos().get(s)[0], e.qpos().get(s)[1]});
      }
    }
    painter.paint(g, x, y, layout.panelWidth(), layout.panelHeight(), q, torso[0], torso[1], layout.metresAcross(),
        trail, layout.goal());
    g.setColor(new Color(0xbb, 0xbb, 0xbb));
    g.drawRect(x, y, layout.panelWidth() - 1, layout.panelHeight() - 1);
  }

  private static void write(BufferedImage image, String format, Path file) {
    // Encoded in memory, then written atomically: a full disk leaves the old picture intact.
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    try {
      if (!ImageIO.write(image, format, bytes)) {
        throw new IllegalStateException("no " + format + " writer");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot encode " + file + " as " + format + ": " + e.getMessage(), e);
    }
    io.maml4j.files.AtomicFiles.write(file, bytes.toByteArray());
  }
}
