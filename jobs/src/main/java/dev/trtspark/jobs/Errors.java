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
    // not one of ours: say what it is, since its message alone may be a bare number or null
    return e + (root != e ? " (caused by " + root + ")" : "");
  }

  /**
   * Whether {@code e} is a bad argument (exit code 2) rather than a failed run: our usage errors and
   * invalid option values ({@link ConfigException}, {@link IllegalArgumentException}) anywhere in the
   * chain, as long as no Spark job failed on the way (a task's error is a failed run).
   */
  static boolean isUsage(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof org.apache.spark.SparkException) {
        return false;
      }
      if (t instanceof UsageException || t instanceof IllegalArgumentException) {
        return true;
      }
    }
    return false;
  }

  /** A problem with the command's arguments found while running it (missing file, existing output). */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }
}
