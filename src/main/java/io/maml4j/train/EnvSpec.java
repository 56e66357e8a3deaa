package io.maml4j.train;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.maml4j.config.ConfigException;
import io.maml4j.config.Fields;
import io.maml4j.config.InputFiles;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * A run's environment spec: the JSON it was started with, and the file it came from if any.
 *
 * @param file absolute path of the spec file, or null when the spec did not come from a file
 * @param json the spec's JSON object (copied in and out: the record stays immutable)
 */
public record EnvSpec(String file, JsonObject json) {
  public EnvSpec {
    if (json == null || !json.has("env")) {
      throw new IllegalArgumentException("an environment spec needs an \"env\" field naming its environment, got "
          + json);
    }
    json = json.deepCopy();
  }

  @Override
  public JsonObject json() {
    return json.deepCopy();
  }

  /**
   * Reads a spec file; the path is kept absolute, so that a resume from another directory finds
   * the file (and the files it names).
   *
   * @throws ConfigException one line naming the file: missing, too large or malformed
   */
  public static EnvSpec read(Path file) {
    String text = InputFiles.read(file, InputFiles.SPEC_LIMIT);
    Fields.parse(file.toString(), text);
    return new EnvSpec(file.toAbsolutePath().normalize().toString(), JsonParser.parseString(text).getAsJsonObject());
  }

  /** The spec's name, its {@code "env"} field. */
  public String env() {
    return json.get("env").getAsString();
  }

  /**
   * The spec's fields, for building its task distribution: read from {@link #file} when that file
   * still holds the same JSON (so relative paths in it resolve as they did, and errors name it),
   * else from the copy attributed to {@code copySource}.
   */
  public Fields fields(String copySource) {
    if (file != null) {
      try {
        Path p = Path.of(file);
        if (Files.isRegularFile(p)) {
          String text = InputFiles.read(p, InputFiles.SPEC_LIMIT);
          Fields f = Fields.parse(p.toString(), text);
          if (JsonParser.parseString(text).equals(json)) {
            return f;
          }
        }
      } catch (ConfigException | InvalidPathException changed) {
        // The file is gone or changed; the copy is the run's spec.
      }
    }
    return new Fields(copySource, json.deepCopy());
  }
}
