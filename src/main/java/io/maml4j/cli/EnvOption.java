package io.maml4j.cli;

import io.maml4j.config.ConfigException;
import java.nio.file.Files;
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

  /**
   * The spec given, or the command's default spec of this repository's {@code environments/}.
   *
   * @throws ConfigException in one line when the default is not here (run from elsewhere): pass
   *     --env, rather than a bare "file not found"
   */
  Path orDefault(Path repositorySpec) {
    if (env != null) {
      return env;
    }
    if (!Files.isRegularFile(repositorySpec)) {
      throw new ConfigException("no --env given, and the default " + repositorySpec + " is not here (it is in the"
          + " maml4j checkout); pass --env SPEC");
    }
    return repositorySpec;
  }
}
