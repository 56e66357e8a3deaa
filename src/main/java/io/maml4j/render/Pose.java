package io.maml4j.render;

/** Rigid-body frame arithmetic on MuJoCo's conventions: positions [x, y, z], unit quaternions [w, x, y, z]. */
final class Pose {
  private Pose() {}

  /** q v q*: the vector v rotated by the unit quaternion q. */
  static double[] rotate(double[] q, double[] v) {
    double w = q[0];
    double x = q[1];
    double y = q[2];
    double z = q[3];
    // t = 2 (q_xyz × v); v' = v + w t + q_xyz × t
    double tx = 2 * (y * v[2] - z * v[1]);
    double ty = 2 * (z * v[0] - x * v[2]);
    double tz = 2 * (x * v[1] - y * v[0]);
    return new double[] {
      v[0] + w * tx + (y * tz - z * ty),
      v[1] + w * ty + (z * tx - x * tz),
      v[2] + w * tz + (x * ty - y * tx)};
  }

  /** The world position of the point p given in a frame at {@code pos} with orientation {@code quat}. */
  static double[] toWorld(double[] pos, double[] quat, double[] p) {
    double[] r = rotate(quat, p);
    return new double[] {pos[0] + r[0], pos[1] + r[1], pos[2] + r[2]};
  }
}
