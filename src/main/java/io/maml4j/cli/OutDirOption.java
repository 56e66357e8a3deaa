package io.maml4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --out DIR} option of the commands that write a run or an experiment into a directory. */
public final class OutDirOption {
  @Option(names = "--out", paramLabel = "DIR",
      description = "Output directory (default: see the command's description).")
  Path out;

  /** The directory given, or {@code fallback}. */
  Path orElse(Path fallback) {
    return out != null ? out : fallback;
  }
}
