package dev.trtspark.engine;

/**
 * The one unchecked exception engine-cache throws for native failures, incompatible models and bad
 * input. The message is a sentence a user can act on (what failed, for which model / tensor / device,
 * and what to do); the cause, when there is one, holds the native or I/O detail.
 */
public class EngineException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public EngineException(String message) {
    super(message);
  }

  public EngineException(String message, Throwable cause) {
    super(message, cause);
  }
}
