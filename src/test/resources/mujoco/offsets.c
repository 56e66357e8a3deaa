/*
 * Prints the byte offset of every mjModel, mjOption and mjData field that
 * MuJoCo's own X-macro lists (mjxmacro.h) name, plus the few fields those
 * lists leave out, one "struct.field offset" per line.
 *
 * MjOffsetsTest compiles this with the installed headers and compares the
 * output with the constants in io.maml4j.mujoco.MjOffsets, so a header that
 * does not match the Java constants fails the build instead of corrupting
 * memory at run time.
 *
 *   gcc -I/usr/include -o offsets offsets.c && ./offsets
 */
#include <stddef.h>
#include <stdio.h>

#include <mujoco/mujoco.h>
#include <mujoco/mjxmacro.h>

#define EMIT(st, field) printf(#st "." #field " %zu\n", offsetof(st, field))

int main(void) {
  printf("version.header %d\n", mjVERSION_HEADER);
  printf("sizeof.mjModel %zu\n", sizeof(mjModel));
  printf("sizeof.mjData %zu\n", sizeof(mjData));
  printf("sizeof.mjOption %zu\n", sizeof(mjOption));
  printf("sizeof.mjWarningStat %zu\n", sizeof(mjWarningStat));
  printf("sizeof.mjtNum %zu\n", sizeof(mjtNum));

  /* Fields the X-macros do not list. */
  EMIT(mjModel, opt);
  EMIT(mjModel, vis);
  EMIT(mjModel, stat);
  EMIT(mjModel, buffer);
  EMIT(mjData, buffer);
  EMIT(mjData, stack);
  EMIT(mjWarningStat, lastinfo);
  EMIT(mjWarningStat, number);

#define X(name) EMIT(mjModel, name);
  MJMODEL_INTS
#undef X

#define X(type, name) EMIT(mjOption, name);
  MJOPTION_SCALARS
#undef X

#define X(name, size) EMIT(mjOption, name);
  MJOPTION_VECTORS
#undef X

#define X(type, name, nr, nc) EMIT(mjModel, name);
  MJMODEL_POINTERS
#undef X

#define X(type, name) EMIT(mjData, name);
  MJDATA_SCALAR
#undef X

#define X(type, name, nr, nc) EMIT(mjData, name);
  MJDATA_VECTOR
  MJDATA_POINTERS
#undef X

  return 0;
}
