package io.maml4j.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --env SPEC} option of the commands that take an environment spec. */
public final class EnvOption {
  @Option(names = "--env", paramLabel = "SPEC",
      description = "Environment spec JSON, e.g. environments/navigation-2d.json (default: see the command's description).")
  Path env;

  /** The spec given, or {@code fallback} (which may be null: then none was given). */
  Path orElse(Path fallback) {
    return env != null ? env : fallback;
  }
}
