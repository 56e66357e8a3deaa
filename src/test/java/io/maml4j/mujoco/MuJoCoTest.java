package io.maml4j.mujoco;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Test;

class MuJoCoTest {
  @Test
  void when_library_is_missing_expect_one_line_install_hint() {
    String message = MuJoCo.findLibrary("libmujoco.so.0.0.0-missing");
    assertEquals("MuJoCo 2.2.2 not found (libmujoco.so.0.0.0-missing): install it with"
        + " `apt-get install libmujoco2.2.2`", message);
  }

  @Test
  void when_available_expect_version_222_and_no_error() {
    assumeTrue(MuJoCo.isAvailable(), "MuJoCo 2.2.2 not installed");
    assertEquals(222, MuJoCo.version());
    assertNull(MuJoCo.findLibrary(MuJoCo.libraryName()));
    MuJoCo.requireAvailable();
  }

  @Test
  void when_unavailable_expect_require_to_throw_the_hint() {
    assumeTrue(!MuJoCo.isAvailable(), "MuJoCo is installed");
    MjException e = assertThrows(MjException.class, MuJoCo::requireAvailable);
    assertEquals(MuJoCo.notFoundMessage(MuJoCo.libraryName()), e.getMessage());
  }
}
