package io.maml4j.mujoco;

import com.sun.jna.Callback;
import com.sun.jna.CallbackReference;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * JNA direct mapping of the few MuJoCo 2.2.2 functions this package calls.
 *
 * <p>Direct mapping ({@code Native.register}) rather than a {@code Library} interface because it
 * saves about 0.4 µs per call, a large share of a step for small models. Only {@link MuJoCo}
 * initialises this class, after checking that the library can be found, so code that never asks
 * for MuJoCo never loads it.
 *
 * <p>Class initialisation also replaces MuJoCo's global error and warning handlers. The default
 * error handler calls {@code exit(1)}, which would end the JVM, and the default warning handler
 * writes to stdout and to {@code MUJOCO_LOG.TXT} in the working directory. The replacements record
 * the message for the calling thread; callers must run {@link #takeError()} after every native
 * call that can fail and turn a message into an exception. A Java exception thrown inside the
 * callback would not help: JNA swallows it and MuJoCo carries on after the handler returns.
 */
final class MjLib {
  static final NativeLibrary LIBRARY;

  // One simulation lives on one thread, so the message must reach the thread whose call failed.
  private static final ThreadLocal<String> PENDING_ERROR = new ThreadLocal<>();
  private static final ThreadLocal<String> LAST_WARNING = new ThreadLocal<>();
  private static final System.Logger LOG = System.getLogger(MjLib.class.getName());

  // Strong references: MuJoCo keeps only the raw function pointers, and JNA frees a callback's
  // native stub when the Java object is collected, after which MuJoCo would jump into freed code.
  private static final MessageHandler ERROR_HANDLER = new ErrorHandler();
  private static final MessageHandler WARNING_HANDLER = new WarningHandler();

  static {
    LIBRARY = NativeLibrary.getInstance(MuJoCo.libraryName());
    Native.register(MjLib.class, LIBRARY);
    setHandler("mju_user_error", ERROR_HANDLER);
    setHandler("mju_user_warning", WARNING_HANDLER);
  }

  private MjLib() {}

  static native int mj_version();

  static native Pointer mj_loadXML(String filename, Pointer vfs, byte[] error, int errorSize);

  static native Pointer mj_makeData(Pointer m);

  static native void mj_resetData(Pointer m, Pointer d);

  static native void mj_step(Pointer m, Pointer d);

  static native void mj_forward(Pointer m, Pointer d);

  /**
   * Computes cacc, cfrc_int and cfrc_ext from the last forward pass; since MuJoCo 2.0 mj_step
   * runs it only for models with force or acceleration sensors.
   */
  static native void mj_rnePostConstraint(Pointer m, Pointer d);

  static native void mj_deleteData(Pointer d);

  static native void mj_deleteModel(Pointer m);

  /** Raises a MuJoCo error; bound only so tests can check the handler without a real failure. */
  static native void mju_error(String message);

  /** Raises a MuJoCo warning; bound only so tests can check the handler. */
  static native void mju_warning(String message);

  /**
   * Returns and clears the error MuJoCo reported on this thread since the last call, or null.
   */
  static String takeError() {
    String message = PENDING_ERROR.get();
    if (message != null) {
      PENDING_ERROR.remove();
    }
    return message;
  }

  /** Returns and clears the last warning MuJoCo reported on this thread, or null. */
  static String takeWarning() {
    String message = LAST_WARNING.get();
    if (message != null) {
      LAST_WARNING.remove();
    }
    return message;
  }

  private static void setHandler(String global, MessageHandler handler) {
    LIBRARY.getGlobalVariableAddress(global)
        .setPointer(0, CallbackReference.getFunctionPointer(handler));
  }

  /** The C type {@code void (*)(const char*)} of MuJoCo's user error and warning hooks. */
  interface MessageHandler extends Callback {
    void invoke(String message);
  }

  private static final class ErrorHandler implements MessageHandler {
    @Override
    public void invoke(String message) {
      // Keep the first error: later ones are usually consequences of it.
      if (PENDING_ERROR.get() == null) {
        PENDING_ERROR.set(message == null || message.isEmpty() ? "(no message)" : message);
      }
    }
  }

  private static final class WarningHandler implements MessageHandler {
    @Override
    public void invoke(String message) {
      LAST_WARNING.set(message);
      LOG.log(System.Logger.Level.WARNING, "MuJoCo warning: {0}", message);
    }
  }
}
