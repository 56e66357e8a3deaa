package io.maml4j.render;

import io.maml4j.mujoco.MjModel;
import io.maml4j.mujoco.MjSim;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.Shape;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.geom.Path2D;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Draws a robot's pose into a rectangle of a {@link Graphics2D}: its {@link Skeleton} placed by
 * the body positions and orientations MuJoCo computes for the pose, seen from the side (x right,
 * z up; the half cheetah) or from above (x right, y up; the ant). The view follows the torso; the
 * floor (side) or a 0.5 m grid (top) shows how far it moved. Mutable: owns a simulation used only
 * for kinematics; one painter per thread.
 */
public final class RobotPainter implements AutoCloseable {
  /** Which way the camera looks. */
  public enum View {
    /** From the -y side: x to the right, z up. */
    SIDE,
    /** From above: x to the right, y up. */
    TOP
  }

  private static final Color FLOOR = new Color(0x55, 0x66, 0x55);
  private static final Color GRID = new Color(0xdd, 0xe4, 0xdd);
  private static final Color TRAIL = new Color(0x99, 0x99, 0xcc);
  private static final Color GOAL = new Color(0xcc, 0x22, 0x22);

  private final MjModel model;
  private final Skeleton skeleton;
  private final View view;
  private final MjSim sim;
  private final double[] zeroVelocity;

  public RobotPainter(MjModel model, Skeleton skeleton, View view) {
    this.model = model;
    this.skeleton = skeleton;
    this.view = view;
    this.sim = model.newSim();
    this.zeroVelocity = new double[model.nv()];
  }

  /** A painter for a model with its own shapes, seen from the given side. */
  public static RobotPainter of(MjModel model, View view) {
    return new RobotPainter(model, Skeleton.of(model), view);
  }

  public View view() {
    return view;
  }

  /** A shape placed in the world: a segment a-b (a = b for a ball) of the given radius. */
  record Placed(double[] a, double[] b, double radius, int body) {}

  /** Places every shape of the skeleton for the pose {@code qpos}. */
  List<Placed> place(double[] qpos) {
    sim.setState(qpos, zeroVelocity);
    List<Placed> out = new ArrayList<>();
    for (Skeleton.Shape s : skeleton.shapes()) {
      double[] pos = sim.bodyXpos(s.body());
      double[] quat = sim.bodyXquat(s.body());
      if (s instanceof Skeleton.Capsule c) {
        out.add(new Placed(Pose.toWorld(pos, quat, c.a()), Pose.toWorld(pos, quat, c.b()), c.radius(), c.body()));
      } else if (s instanceof Skeleton.Ball b) {
        double[] p = Pose.toWorld(pos, quat, b.c());
        out.add(new Placed(p, p, b.radius(), b.body()));
      }
    }
    return out;
  }

  /** The world position of a body in the pose {@code qpos}. */
  public double[] bodyPosition(double[] qpos, int body) {
    sim.setState(qpos, zeroVelocity);
    return sim.bodyXpos(body);
  }

  /**
   * Paints the pose into the rectangle (x, y, w, h), {@code metres} wide, centred on (cx, cy) in
   * the view's plane (cy is ignored from the side, where the floor sits near the bottom).
   *
   * @param trail earlier torso positions [x, y] to draw as a path (top view), or null
   * @param goal a target position [x, y] to mark (top view), or null
   */
  public void paint(Graphics2D g0, int x, int y, int w, int h, double[] qpos, double cx, double cy, double metres,
      List<double[]> trail, double[] goal) {
    Graphics2D g = (Graphics2D) g0.create();
    try {
      g.clipRect(x, y, w, h);
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setColor(Color.WHITE);
      g.fillRect(x, y, w, h);
      double scale = w / metres;
      double ox = x + w / 2.0 - cx * scale;
      double oy = view == View.SIDE ? y + h - 0.12 * h : y + h / 2.0 + cy * scale;
      Projection p = view == View.SIDE
          ? (wx, wy, wz) -> new double[] {ox + wx * scale, oy - wz * scale}
          : (wx, wy, wz) -> new double[] {ox + wx * scale, oy - wy * scale};
      if (view == View.SIDE) {
        paintFloor(g, x, w, ox, oy, scale, cx, metres, y + h);
      } else {
        paintGrid(g, x, y, w, h, ox, oy, scale, cx, cy, metres);
        if (trail != null && trail.size() > 1) {
          g.setColor(TRAIL);
          g.setStroke(new BasicStroke(1.5f));
          Path2D.Double path = new Path2D.Double();
          for (int i = 0; i < trail.size(); i++) {
            double[] s = p.at(trail.get(i)[0], trail.get(i)[1], 0);
            if (i == 0) {
              path.moveTo(s[0], s[1]);
            } else {
              path.lineTo(s[0], s[1]);
            }
          }
          g.draw(path);
        }
        if (goal != null) {
          double[] s = p.at(goal[0], goal[1], 0);
          g.setColor(GOAL);
          g.setStroke(new BasicStroke(2f));
          double r = Math.max(4, 0.12 * scale);
          g.draw(new Line2D.Double(s[0] - r, s[1] - r, s[0] + r, s[1] + r));
          g.draw(new Line2D.Double(s[0] - r, s[1] + r, s[0] + r, s[1] - r));
        }
      }
      List<Placed> placed = place(qpos);
      // Far parts first: from the side the larger y is farther, from above the lower z.
      Comparator<Placed> depth = view == View.SIDE
          ? Comparator.comparingDouble((Placed q) -> -(q.a[1] + q.b[1]))
          : Comparator.comparingDouble((Placed q) -> q.a[2] + q.b[2]);
      placed.sort(depth);
      for (Placed q : placed) {
        double[] a = p.at(q.a[0], q.a[1], q.a[2]);
        double[] b = p.at(q.b[0], q.b[1], q.b[2]);
        double width = 2 * q.radius * scale;
        double height = view == View.SIDE ? 0.5 * (q.a[1] + q.b[1]) : 0.5 * (q.a[2] + q.b[2]);
        g.setColor(colour(q.body, height));
        Shape shape = q.a == q.b
            ? new Ellipse2D.Double(a[0] - width / 2, a[1] - width / 2, width, width)
            : null;
        if (shape != null) {
          g.fill(shape);
          g.setColor(g.getColor().darker());
          g.setStroke(new BasicStroke(1f));
          g.draw(shape);
        } else {
          g.setStroke(new BasicStroke((float) Math.max(1.5, width), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
          g.draw(new Line2D.Double(a[0], a[1], b[0], b[1]));
        }
      }
    } finally {
      g.dispose();
    }
  }

  @FunctionalInterface
  private interface Projection {
    double[] at(double wx, double wy, double wz);
  }

  private static void paintFloor(Graphics2D g, int x, int w, double ox, double oy, double scale, double cx,
      double metres, int bottom) {
    g.setColor(new Color(0xee, 0xf2, 0xee));
    g.fillRect(x, (int) Math.round(oy), w, (int) Math.max(0, bottom - oy));
    g.setColor(FLOOR);
    g.setStroke(new BasicStroke(1.5f));
    g.draw(new Line2D.Double(x, oy, x + w, oy));
    g.setStroke(new BasicStroke(1f));
    double first = Math.floor((cx - metres) * 2) / 2;
    for (double m = first; m <= cx + metres; m += 0.5) {
      double sx = ox + m * scale;
      boolean whole = Math.abs(m - Math.rint(m)) < 1e-9;
      g.draw(new Line2D.Double(sx, oy, sx, oy + (whole ? 7 : 4)));
      if (whole) {
        g.drawString(String.format(java.util.Locale.ROOT, "%d m", Math.round(m)), (float) sx + 2, (float) oy + 16);
      }
    }
  }

  private static void paintGrid(Graphics2D g, int x, int y, int w, int h, double ox, double oy, double scale,
      double cx, double cy, double metres) {
    g.setStroke(new BasicStroke(1f));
    double reach = metres;
    for (double m = Math.floor((cx - reach) * 2) / 2; m <= cx + reach; m += 0.5) {
      double sx = ox + m * scale;
      g.setColor(Math.abs(m) < 1e-9 ? FLOOR : GRID);
      g.draw(new Line2D.Double(sx, y, sx, y + h));
    }
    for (double m = Math.floor((cy - reach) * 2) / 2; m <= cy + reach; m += 0.5) {
      double sy = oy - m * scale;
      g.setColor(Math.abs(m) < 1e-9 ? FLOOR : GRID);
      g.draw(new Line2D.Double(x, sy, x + w, sy));
    }
  }

  /** A colour per body, lighter the higher (top view) or nearer (side view) the part is. */
  private Color colour(int body, double depth) {
    float hue = (float) ((body * 0.13) % 1.0);
    float shade = (float) Math.max(0.45, Math.min(0.95, 0.65 + (view == View.TOP ? 0.4 * (depth - 0.4) : -0.8 * depth)));
    float saturation = body == 1 ? 0.25f : 0.55f;
    return Color.getHSBColor(0.08f + hue * 0.5f, saturation, shade);
  }

  /** Frees the kinematics simulation. */
  @Override
  public void close() {
    sim.close();
  }

  /** The model this painter draws. */
  public MjModel model() {
    return model;
  }
}
