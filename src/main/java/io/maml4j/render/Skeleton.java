package io.maml4j.render;

import io.maml4j.mujoco.MjModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.SAXException;

/**
 * The drawable shapes of a robot: its capsules and spheres in the frames of the bodies that carry
 * them, read from the model's MJCF file. Posed with body positions and orientations from the
 * simulation, they give a picture of the robot without a 3D renderer.
 *
 * <p>Supports what the bundled models use: capsules given by {@code fromto}, or by {@code pos},
 * {@code size="radius half-length"} and an optional {@code axisangle}, {@code quat} or {@code
 * zaxis}; spheres by {@code pos} and radius. Other geoms (planes, boxes) are skipped. Bodies are
 * numbered in document order, as MuJoCo numbers them; names are checked against the model.
 */
public record Skeleton(List<Shape> shapes) {
  public Skeleton {
    shapes = List.copyOf(shapes);
  }

  /** A shape in its body's frame. */
  public sealed interface Shape permits Capsule, Ball {
    /** The body id that carries the shape. */
    int body();

    /** Radius in metres. */
    double radius();
  }

  /** A capsule from a to b (body frame, metres). */
  public record Capsule(int body, double[] a, double[] b, double radius) implements Shape {
    public Capsule {
      a = a.clone();
      b = b.clone();
    }

    @Override
    public double[] a() {
      return a.clone();
    }

    @Override
    public double[] b() {
      return b.clone();
    }
  }

  /** A sphere at c (body frame, metres). */
  public record Ball(int body, double[] c, double radius) implements Shape {
    public Ball {
      c = c.clone();
    }

    @Override
    public double[] c() {
      return c.clone();
    }
  }

  /** Reads the shapes of {@code model} from its MJCF file. */
  public static Skeleton of(MjModel model) {
    return read(model.source(), model);
  }

  /**
   * Reads the shapes from an MJCF file; {@code model}, if not null, must be compiled from it (body
   * names are checked against it).
   */
  public static Skeleton read(Path mjcf, MjModel model) {
    Element root;
    try {
      DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
      f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
      root = f.newDocumentBuilder().parse(mjcf.toFile()).getDocumentElement();
    } catch (ParserConfigurationException | SAXException | IOException e) {
      throw new IllegalArgumentException("cannot read MJCF " + mjcf + ": " + e.getMessage(), e);
    }
    boolean degrees = true;
    for (Element c : children(root, "compiler")) {
      if (c.hasAttribute("angle")) {
        degrees = !c.getAttribute("angle").equals("radian");
      }
    }
    List<Shape> shapes = new ArrayList<>();
    int[] nextBody = {1};
    for (Element world : children(root, "worldbody")) {
      collect(world, 0, degrees, shapes, nextBody, model, mjcf);
    }
    if (model != null && nextBody[0] != model.nbody()) {
      throw new IllegalArgumentException(mjcf + " has " + nextBody[0] + " bodies but the model has " + model.nbody());
    }
    return new Skeleton(shapes);
  }

  private static void collect(Element body, int id, boolean degrees, List<Shape> out, int[] next, MjModel model,
      Path file) {
    for (Node n = body.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (!(n instanceof Element e)) {
        continue;
      }
      if (e.getTagName().equals("geom")) {
        Shape s = shape(e, id, degrees, file);
        if (s != null) {
          out.add(s);
        }
      } else if (e.getTagName().equals("body")) {
        int child = next[0]++;
        if (model != null && e.hasAttribute("name") && !model.bodyNames().get(child).equals(e.getAttribute("name"))) {
          throw new IllegalArgumentException(file + ": body " + child + " is '" + model.bodyNames().get(child)
              + "' in the model but '" + e.getAttribute("name") + "' in the file");
        }
        collect(e, child, degrees, out, next, model, file);
      }
    }
  }

  private static Shape shape(Element g, int body, boolean degrees, Path file) {
    String type = g.hasAttribute("type") ? g.getAttribute("type") : "sphere";
    double[] size = numbers(g.getAttribute("size"));
    String name = g.hasAttribute("name") ? g.getAttribute("name") : "(unnamed)";
    if (type.equals("capsule")) {
      if (g.hasAttribute("fromto")) {
        double[] ft = numbers(g.getAttribute("fromto"));
        return new Capsule(body, new double[] {ft[0], ft[1], ft[2]}, new double[] {ft[3], ft[4], ft[5]}, size[0]);
      }
      if (size.length < 2) {
        throw new IllegalArgumentException(file + ": capsule " + name + " needs fromto or size=\"radius half-length\"");
      }
      double[] pos = g.hasAttribute("pos") ? numbers(g.getAttribute("pos")) : new double[3];
      double[] axis = axis(g, degrees, file, name);
      double h = size[1];
      return new Capsule(body, new double[] {pos[0] - h * axis[0], pos[1] - h * axis[1], pos[2] - h * axis[2]},
          new double[] {pos[0] + h * axis[0], pos[1] + h * axis[1], pos[2] + h * axis[2]}, size[0]);
    }
    if (type.equals("sphere")) {
      double[] pos = g.hasAttribute("pos") ? numbers(g.getAttribute("pos")) : new double[3];
      return new Ball(body, pos, size[0]);
    }
    return null;
  }

  /** The geom's local z axis in its body's frame. */
  private static double[] axis(Element g, boolean degrees, Path file, String name) {
    double[] z = {0, 0, 1};
    if (g.hasAttribute("axisangle")) {
      double[] aa = numbers(g.getAttribute("axisangle"));
      double angle = degrees ? Math.toRadians(aa[3]) : aa[3];
      double norm = Math.sqrt(aa[0] * aa[0] + aa[1] * aa[1] + aa[2] * aa[2]);
      double s = Math.sin(angle / 2) / norm;
      return Pose.rotate(new double[] {Math.cos(angle / 2), aa[0] * s, aa[1] * s, aa[2] * s}, z);
    }
    if (g.hasAttribute("quat")) {
      double[] q = numbers(g.getAttribute("quat"));
      double norm = Math.sqrt(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3]);
      return Pose.rotate(new double[] {q[0] / norm, q[1] / norm, q[2] / norm, q[3] / norm}, z);
    }
    if (g.hasAttribute("zaxis")) {
      double[] a = numbers(g.getAttribute("zaxis"));
      double norm = Math.sqrt(a[0] * a[0] + a[1] * a[1] + a[2] * a[2]);
      return new double[] {a[0] / norm, a[1] / norm, a[2] / norm};
    }
    if (g.hasAttribute("euler") || g.hasAttribute("xyaxes")) {
      throw new IllegalArgumentException(file + ": geom " + name + " uses euler or xyaxes, which drawing does not support");
    }
    return z;
  }

  private static List<Element> children(Element parent, String tag) {
    List<Element> out = new ArrayList<>();
    for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
      if (n instanceof Element e && e.getTagName().equals(tag)) {
        out.add(e);
      }
    }
    return out;
  }

  private static double[] numbers(String s) {
    String t = s.strip();
    if (t.isEmpty()) {
      return new double[0];
    }
    String[] parts = t.split("\\s+");
    double[] out = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Double.parseDouble(parts[i]);
    }
    return out;
  }
}
