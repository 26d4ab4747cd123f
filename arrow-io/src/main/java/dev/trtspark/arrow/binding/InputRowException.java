package dev.trtspark.arrow.binding;

import dev.trtspark.engine.EngineException;

/**
 * An input row that cannot become a tensor row under {@code spark.trt.badRowPolicy=fail}. The message
 * names the column, the row within the batch and within the partition, and what was expected.
 */
public final class InputRowException extends EngineException {
  private static final long serialVersionUID = 1L;

  public InputRowException(String message) {
    super(message);
  }
}
