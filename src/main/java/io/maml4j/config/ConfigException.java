package io.maml4j.config;

/** Bad configuration or input file; the message is one line naming the file and the field. */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }

  /** "{source}: field 'f': expected X, got Y". */
  public static ConfigException field(String source, String field, String expected, Object got) {
    return new ConfigException(source + ": field '" + field + "': expected " + expected + ", got " + got);
  }
}
