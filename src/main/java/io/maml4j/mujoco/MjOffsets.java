package io.maml4j.mujoco;

/**
 * Byte offsets of the {@code mjModel}, {@code mjOption} and {@code mjData} fields this package
 * reads, for MuJoCo 2.2.2 on x86-64 Linux (LP64, {@code mjtNum} = double).
 *
 * <p>Reading fields at fixed offsets with {@code Pointer.getInt/getDouble/getPointer} avoids JNA
 * {@code Structure} mirrors, whose {@code read()} copies all of {@code mjData} (about 41 KB with
 * 1000 nested solver stats) and costs milliseconds per call. The price is that these numbers are
 * only right for the header they came from: {@link #HEADER_VERSION} records it, the library
 * version is checked against it at load, and {@code MjOffsetsTest} compares every constant with
 * {@code offsetof} from the installed headers ({@code src/test/resources/mujoco/offsets.c}).
 *
 * <p>Names keep MuJoCo's field names after a prefix ({@code M_} for mjModel, {@code OPT_} for
 * mjOption relative to {@link #M_opt}, {@code D_} for mjData, {@code WARN_} for mjWarningStat,
 * {@code SIZEOF_} for struct sizes) so the test can map each constant to its C field by name, and
 * a reader can grep the headers for it.
 */
public final class MjOffsets {
  /** The {@code mjVERSION_HEADER} these offsets were derived from. */
  public static final int HEADER_VERSION = 222;

  public static final int SIZEOF_mjModel = 3280;
  public static final int SIZEOF_mjData = 41176;
  public static final int SIZEOF_mjOption = 240;
  public static final int SIZEOF_mjWarningStat = 8;
  public static final int SIZEOF_mjtNum = 8;

  // mjModel sizes (int)
  public static final int M_nq = 0;
  public static final int M_nv = 4;
  public static final int M_nu = 8;
  public static final int M_na = 12;
  public static final int M_nbody = 16;
  public static final int M_njnt = 20;
  public static final int M_ngeom = 24;
  public static final int M_nnames = 192;
  public static final int M_nstack = 216;
  public static final int M_nbuffer = 228;

  // mjModel embedded structs
  public static final int M_opt = 232;

  // mjOption fields, relative to M_opt
  public static final int OPT_timestep = 0;
  public static final int OPT_gravity = 48;
  public static final int OPT_integrator = 200;

  // mjModel arrays (pointers into the model buffer)
  public static final int M_qpos0 = 1096;
  public static final int M_body_mass = 1240;
  public static final int M_jnt_type = 1280;
  public static final int M_jnt_qposadr = 1288;
  public static final int M_jnt_dofadr = 1296;
  public static final int M_jnt_limited = 1320;
  public static final int M_jnt_range = 1368;
  public static final int M_actuator_ctrllimited = 2744;
  public static final int M_actuator_ctrlrange = 2792;
  public static final int M_name_bodyadr = 3104;
  public static final int M_name_jntadr = 3112;
  public static final int M_name_actuatoradr = 3224;
  public static final int M_names = 3272;

  // mjData scalars
  public static final int D_nstack = 0;
  public static final int D_nbuffer = 4;
  public static final int D_pstack = 8;
  public static final int D_maxuse_stack = 12;
  public static final int D_maxuse_con = 16;
  public static final int D_maxuse_efc = 20;
  public static final int D_warning = 24;
  public static final int D_ncon = 40332;
  public static final int D_time = 40336;

  // mjWarningStat fields, relative to D_warning + i * SIZEOF_mjWarningStat
  public static final int WARN_number = 4;

  // mjData arrays (pointers into the data buffer)
  public static final int D_buffer = 40360;
  public static final int D_stack = 40368;
  public static final int D_qpos = 40376;
  public static final int D_qvel = 40384;
  public static final int D_act = 40392;
  public static final int D_ctrl = 40408;
  public static final int D_qfrc_applied = 40416;
  public static final int D_xfrc_applied = 40424;
  public static final int D_qacc = 40448;
  public static final int D_xpos = 40480;
  public static final int D_xquat = 40488;
  public static final int D_cvel = 40960;
  public static final int D_cfrc_ext = 41168;

  private MjOffsets() {}
}
