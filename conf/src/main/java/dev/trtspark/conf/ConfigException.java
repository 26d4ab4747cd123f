package dev.trtspark.conf;

/**
 * A configuration value or inference specification that cannot be used. The message always names
 * the key (or binding), the value that was given and what is allowed, so that a user can fix it
 * without reading code. Thrown on the driver, at resolution time, never on executors.
 */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
