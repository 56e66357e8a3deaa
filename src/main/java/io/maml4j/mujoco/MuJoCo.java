package io.maml4j.mujoco;

import com.sun.jna.NativeLibrary;

/**
 * Whether the MuJoCo 2.2.2 native library can be used here.
 *
 * <p>MuJoCo is optional: code and tests that need it ask {@link #isAvailable()} (or call {@link
 * #requireAvailable()}) first. The library is looked up only on the first such call, never by a
 * static initialiser of a class that other packages touch.
 */
public final class MuJoCo {
  /** The only MuJoCo version this package works with, as {@code mj_version()} reports it. */
  public static final int REQUIRED_VERSION = MjOffsets.HEADER_VERSION;

  /**
   * System property naming the library to load; by default the SONAME {@value #DEFAULT_LIBRARY},
   * which Debian's runtime package {@code libmujoco2.2.2} provides without {@code libmujoco-dev}.
   */
  public static final String LIBRARY_PROPERTY = "io.maml4j.mujoco.library";

  /** The library loaded unless {@link #LIBRARY_PROPERTY} names another one. */
  public static final String DEFAULT_LIBRARY = "libmujoco.so.2.2.2";

  private MuJoCo() {}

  /** True when the library loads and is version 2.2.2; the first call loads it. */
  public static boolean isAvailable() {
    return Probe.PROBLEM == null;
  }

  /**
   * Returns normally when MuJoCo can be used; otherwise throws an {@link MjException} whose
   * message is one line saying what is missing and how to install it.
   */
  public static void requireAvailable() {
    if (Probe.PROBLEM != null) {
      throw new MjException(Probe.PROBLEM);
    }
  }

  /** The loaded library's version, e.g. 222 for 2.2.2. */
  public static int version() {
    requireAvailable();
    return MjLib.mj_version();
  }

  /** Formats mj_version()'s number the way MuJoCo releases are named, e.g. 222 as "2.2.2". */
  static String formatVersion(int version) {
    return version / 100 + "." + version / 10 % 10 + "." + version % 10;
  }

  static String libraryName() {
    return System.getProperty(LIBRARY_PROPERTY, DEFAULT_LIBRARY);
  }

  /** The one-line message for a library that cannot be found. */
  static String notFoundMessage(String library) {
    return "MuJoCo 2.2.2 not found (" + library + "): install it with"
        + " `apt-get install libmujoco2.2.2`";
  }

  /**
   * Checks that {@code library} can be loaded, without binding it; returns null if it can, or the
   * message for the user if it cannot.
   */
  static String findLibrary(String library) {
    try {
      NativeLibrary.getInstance(library);
      return null;
    } catch (UnsatisfiedLinkError e) {
      return notFoundMessage(library);
    }
  }

  /** Runs once, on the first question about availability (initialisation-on-demand holder). */
  private static final class Probe {
    static final String PROBLEM = probe();

    private static String probe() {
      String library = libraryName();
      String missing = findLibrary(library);
      if (missing != null) {
        return missing;
      }
      int version;
      try {
        version = MjLib.mj_version();
      } catch (LinkageError e) {
        return "MuJoCo library " + library + " loaded but could not be bound: " + e;
      }
      if (version != REQUIRED_VERSION) {
        return "MuJoCo " + formatVersion(version) + " found (" + library + "), but maml4j needs"
            + " exactly 2.2.2 because its struct offsets are specific to that version: install it"
            + " with `apt-get install libmujoco2.2.2`";
      }
      return null;
    }
  }
}
