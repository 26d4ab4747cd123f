package dev.trtspark.jobs;

import dev.trtspark.conf.ConfigException;
import dev.trtspark.engine.EngineException;

/** Turns an exception chain into the one sentence a user needs: the first message we wrote ourselves. */
final class Errors {
  private Errors() {}

  static String describe(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof EngineException || t instanceof ConfigException || t instanceof IllegalArgumentException
          || t instanceof UsageException) {
        return t.getMessage();
      }
    }
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return e.getMessage() + (root != e ? " (caused by " + root + ")" : "");
  }

  /** A problem with the command's arguments found while running it (missing file, existing output). */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
