package io.maml4j.mujoco;

import static io.maml4j.mujoco.MjOffsets.M_actuator_ctrllimited;
import static io.maml4j.mujoco.MjOffsets.M_actuator_ctrlrange;
import static io.maml4j.mujoco.MjOffsets.M_body_mass;
import static io.maml4j.mujoco.MjOffsets.M_jnt_dofadr;
import static io.maml4j.mujoco.MjOffsets.M_jnt_limited;
import static io.maml4j.mujoco.MjOffsets.M_jnt_qposadr;
import static io.maml4j.mujoco.MjOffsets.M_jnt_range;
import static io.maml4j.mujoco.MjOffsets.M_na;
import static io.maml4j.mujoco.MjOffsets.M_name_actuatoradr;
import static io.maml4j.mujoco.MjOffsets.M_name_bodyadr;
import static io.maml4j.mujoco.MjOffsets.M_name_jntadr;
import static io.maml4j.mujoco.MjOffsets.M_names;
import static io.maml4j.mujoco.MjOffsets.M_nbody;
import static io.maml4j.mujoco.MjOffsets.M_njnt;
import static io.maml4j.mujoco.MjOffsets.M_nnames;
import static io.maml4j.mujoco.MjOffsets.M_nq;
import static io.maml4j.mujoco.MjOffsets.M_nstack;
import static io.maml4j.mujoco.MjOffsets.M_nu;
import static io.maml4j.mujoco.MjOffsets.M_nv;
import static io.maml4j.mujoco.MjOffsets.M_opt;
import static io.maml4j.mujoco.MjOffsets.M_qpos0;
import static io.maml4j.mujoco.MjOffsets.OPT_gravity;
import static io.maml4j.mujoco.MjOffsets.OPT_integrator;
import static io.maml4j.mujoco.MjOffsets.OPT_timestep;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A compiled MuJoCo model ({@code mjModel}), loaded from an MJCF file.
 *
 * <p>Everything the getters return is copied out of native memory once at load, so a model is
 * effectively immutable and can be shared by the simulations of many threads ({@link #newSim()}).
 * Closing it frees the native model as soon as the last of its simulations is closed; until then
 * those simulations keep working.
 */
public final class MjModel implements AutoCloseable {
  // mj_loadXML keeps the last parsed XML in a global and swaps MuJoCo's global error handlers
  // while it compiles, so two loads must never overlap.
  private static final Object LOAD_LOCK = new Object();

  private static final int ERROR_BUFFER_BYTES = 1000;

  private final Path source;
  private Pointer handle;
  private boolean closed;
  private int openSims;

  private final int nq;
  private final int nv;
  private final int nu;
  private final int na;
  private final int nbody;
  private final int njnt;
  private final int nstack;
  private final double timestep;
  private final double[] gravity;
  private final int integrator;
  private final double[] qpos0;
  private final double[] bodyMass;
  private final List<String> bodyNames;
  private final List<String> jointNames;
  private final List<String> actuatorNames;
  private final Map<String, Integer> bodyIds;
  private final Map<String, Integer> jointIds;
  private final int[] jointQposAddress;
  private final int[] jointDofAddress;
  private final double[] jointRange;
  private final double[] ctrlLow;
  private final double[] ctrlHigh;

  private MjModel(Pointer m, Path source) {
    this.handle = m;
    this.source = source;
    nq = m.getInt(M_nq);
    nv = m.getInt(M_nv);
    nu = m.getInt(M_nu);
    na = m.getInt(M_na);
    nbody = m.getInt(M_nbody);
    njnt = m.getInt(M_njnt);
    nstack = m.getInt(M_nstack);
    timestep = m.getDouble(M_opt + OPT_timestep);
    gravity = m.getDoubleArray(M_opt + OPT_gravity, 3);
    integrator = m.getInt(M_opt + OPT_integrator);
    checkSizes();
    qpos0 = m.getPointer(M_qpos0).getDoubleArray(0, nq);
    bodyMass = m.getPointer(M_body_mass).getDoubleArray(0, nbody);

    byte[] names = m.getPointer(M_names).getByteArray(0, m.getInt(M_nnames));
    bodyNames = readNames(names, m.getPointer(M_name_bodyadr), nbody);
    jointNames = readNames(names, m.getPointer(M_name_jntadr), njnt);
    actuatorNames = readNames(names, m.getPointer(M_name_actuatoradr), nu);
    bodyIds = index(bodyNames);
    jointIds = index(jointNames);

    jointQposAddress = m.getPointer(M_jnt_qposadr).getIntArray(0, njnt);
    jointDofAddress = m.getPointer(M_jnt_dofadr).getIntArray(0, njnt);
    jointRange = m.getPointer(M_jnt_range).getDoubleArray(0, 2 * njnt);
    byte[] jointLimited = m.getPointer(M_jnt_limited).getByteArray(0, njnt);
    for (int j = 0; j < njnt; j++) {
      if (jointLimited[j] == 0) {
        jointRange[2 * j] = Double.NEGATIVE_INFINITY;
        jointRange[2 * j + 1] = Double.POSITIVE_INFINITY;
      }
    }

    double[] ctrlRange = m.getPointer(M_actuator_ctrlrange).getDoubleArray(0, 2 * nu);
    byte[] ctrlLimited = m.getPointer(M_actuator_ctrllimited).getByteArray(0, nu);
    ctrlLow = new double[nu];
    ctrlHigh = new double[nu];
    for (int i = 0; i < nu; i++) {
      boolean limited = ctrlLimited[i] != 0;
      ctrlLow[i] = limited ? ctrlRange[2 * i] : Double.NEGATIVE_INFINITY;
      ctrlHigh[i] = limited ? ctrlRange[2 * i + 1] : Double.POSITIVE_INFINITY;
    }
  }

  /**
   * Parses and compiles an MJCF file. Relative asset paths in the file resolve against its folder.
   *
   * <p>Loads are serialised: while MuJoCo compiles it replaces the process-wide error handlers, so
   * load models before simulating on other threads.
   *
   * @throws MjException if MuJoCo is not available, or with MuJoCo's message if the file does not
   *     compile, or if the loaded model's memory layout does not match {@link MjOffsets}
   */
  public static MjModel load(Path mjcf) {
    Objects.requireNonNull(mjcf, "mjcf");
    MuJoCo.requireAvailable();
    Path file = mjcf.toAbsolutePath().normalize();
    byte[] error = new byte[ERROR_BUFFER_BYTES];
    Pointer m;
    String engineError;
    synchronized (LOAD_LOCK) {
      m = MjLib.mj_loadXML(file.toString(), null, error, error.length);
      engineError = MjLib.takeError();
    }
    if (m == null || engineError != null) {
      if (m != null) {
        MjLib.mj_deleteModel(m);
      }
      String message = engineError != null ? engineError : Native.toString(error).strip();
      if (message.isEmpty()) {
        message = Files.exists(file) ? "unknown error" : "file not found";
      }
      throw new MjException("Cannot load MuJoCo model " + file + ": " + message);
    }
    MjModel model;
    try {
      model = new MjModel(m, file);
    } catch (RuntimeException e) {
      MjLib.mj_deleteModel(m);
      throw e;
    }
    // A throw-away simulation runs the data-side layout checks (see MjSim) before anyone relies
    // on this model.
    try {
      model.newSim().close();
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  /** The MJCF file this model was loaded from (absolute). */
  public Path source() {
    return source;
  }

  /** Number of generalised coordinates (length of qpos). */
  public int nq() {
    return nq;
  }

  /** Number of degrees of freedom (length of qvel). */
  public int nv() {
    return nv;
  }

  /** Number of actuators (length of ctrl). */
  public int nu() {
    return nu;
  }

  /** Number of actuator activations (length of act); 0 for plain motors. */
  public int na() {
    return na;
  }

  /** Number of bodies, including the world body 0. */
  public int nbody() {
    return nbody;
  }

  /** Number of joints. */
  public int njnt() {
    return njnt;
  }

  /**
   * Size of each simulation's scratch stack in mjtNums ({@code <size nstack=.../>} in MJCF).
   * MuJoCo's default is over a million (10 MB per simulation); models meant for many parallel
   * simulations should set it.
   */
  public int nstack() {
    return nstack;
  }

  /** Simulation time step in seconds ({@code opt.timestep}). */
  public double timestep() {
    return timestep;
  }

  /** Gravitational acceleration [x, y, z] in m/s² ({@code opt.gravity}). */
  public double[] gravity() {
    return gravity.clone();
  }

  /** The integrator ({@code mjtIntegrator}): 0 Euler (semi-implicit), 1 RK4, 2 implicit. */
  public int integrator() {
    return integrator;
  }

  /** The default pose (qpos after reset). */
  public double[] qpos0() {
    return qpos0.clone();
  }

  /** Mass of each body in kg, indexed by body id. */
  public double[] bodyMass() {
    return bodyMass.clone();
  }

  /** Body names indexed by body id; unnamed bodies have the empty name. */
  public List<String> bodyNames() {
    return bodyNames;
  }

  /** Joint names indexed by joint id; unnamed joints have the empty name. */
  public List<String> jointNames() {
    return jointNames;
  }

  /** Actuator names indexed by actuator id; unnamed actuators have the empty name. */
  public List<String> actuatorNames() {
    return actuatorNames;
  }

  /**
   * The id of the body with this name.
   *
   * @throws IllegalArgumentException if there is none
   */
  public int bodyId(String name) {
    return lookup(bodyIds, name, "body");
  }

  /**
   * The id of the joint with this name.
   *
   * @throws IllegalArgumentException if there is none
   */
  public int jointId(String name) {
    return lookup(jointIds, name, "joint");
  }

  /** Index in qpos of the joint's first coordinate. */
  public int jointQposAddress(int joint) {
    return jointQposAddress[Objects.checkIndex(joint, njnt)];
  }

  /** Index in qvel of the joint's first degree of freedom. */
  public int jointDofAddress(int joint) {
    return jointDofAddress[Objects.checkIndex(joint, njnt)];
  }

  /** The joint's range [low, high]; infinite for an unlimited joint. */
  public double[] jointRange(int joint) {
    int j = Objects.checkIndex(joint, njnt);
    return new double[] {jointRange[2 * j], jointRange[2 * j + 1]};
  }

  /**
   * Lower control bounds by actuator; -infinity where the actuator is not ctrllimited. MuJoCo
   * clamps ctrl to these bounds itself.
   */
  public double[] ctrlLow() {
    return ctrlLow.clone();
  }

  /** Upper control bounds by actuator; +infinity where the actuator is not ctrllimited. */
  public double[] ctrlHigh() {
    return ctrlHigh.clone();
  }

  /** A new simulation of this model in its default state, for use by one thread. */
  public MjSim newSim() {
    return new MjSim(this);
  }

  /**
   * Marks the model closed and frees it once no simulation of it is open. Calling it again does
   * nothing.
   */
  @Override
  public synchronized void close() {
    closed = true;
    freeIfUnused();
  }

  /** Registers a new simulation and returns the native model for it. */
  synchronized Pointer acquire() {
    if (closed) {
      throw new IllegalStateException("MjModel " + source + " is closed");
    }
    openSims++;
    return handle;
  }

  /** Called once by each simulation as it closes. */
  synchronized void release() {
    openSims--;
    freeIfUnused();
  }

  private void freeIfUnused() {
    if (closed && openSims == 0 && handle != null) {
      MjLib.mj_deleteModel(handle);
      handle = null;
    }
  }

  /**
   * Cheap sanity checks that catch a wrong mjModel layout before it corrupts anything: with wrong
   * offsets these read neighbouring fields and come out implausible.
   */
  private void checkSizes() {
    boolean plausible = nq >= 0 && nv >= 0 && nv <= nq && nu >= 0 && na >= 0 && nbody >= 1
        && njnt >= 0 && nstack > 0
        && timestep > 0 && timestep <= 1
        && Double.isFinite(gravity[0]) && Double.isFinite(gravity[1]) && Double.isFinite(gravity[2])
        && integrator >= 0 && integrator <= 2;
    if (!plausible) {
      throw new MjException("mjModel layout does not match MuJoCo 2.2.2 (nq=" + nq + ", nv=" + nv
          + ", nu=" + nu + ", nbody=" + nbody + ", timestep=" + timestep + ", integrator="
          + integrator + "); the library is not the one MjOffsets was made for");
    }
  }

  private static List<String> readNames(byte[] names, Pointer addresses, int count) {
    int[] adr = addresses == null ? new int[0] : addresses.getIntArray(0, count);
    String[] out = new String[count];
    for (int i = 0; i < count; i++) {
      int end = adr[i];
      while (end < names.length && names[end] != 0) {
        end++;
      }
      out[i] = new String(names, adr[i], end - adr[i], StandardCharsets.UTF_8);
    }
    return List.of(out);
  }

  private static Map<String, Integer> index(List<String> names) {
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < names.size(); i++) {
      if (!names.get(i).isEmpty()) {
        ids.putIfAbsent(names.get(i), i);
      }
    }
    return Map.copyOf(ids);
  }

  private int lookup(Map<String, Integer> ids, String name, String kind) {
    Integer id = ids.get(name);
    if (id == null) {
      String[] known = ids.keySet().toArray(new String[0]);
      Arrays.sort(known);
      throw new IllegalArgumentException("no " + kind + " named '" + name + "' in " + source
          + "; known: " + Arrays.toString(known));
    }
    return id;
  }

  @Override
  public String toString() {
    return "MjModel[" + source.getFileName() + ", nq=" + nq + ", nv=" + nv + ", nu=" + nu + "]";
  }
}
