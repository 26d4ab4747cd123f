package dev.trtspark.conf;

import java.io.Serializable;

/** One model tensor and the table column it reads from (inputs) or writes to (outputs). */
public record TensorBinding(String tensor, String column) implements Serializable {
  public TensorBinding {
    if (tensor == null || tensor.isBlank()) {
      throw new ConfigException("a binding needs a tensor name (got '" + tensor + "' for column '" + column + "')");
    }
    if (column == null || column.isBlank()) {
      throw new ConfigException("a binding needs a column name (got '" + column + "' for tensor '" + tensor + "')");
    }
  }

  /** Parses {@code tensor=column} (the CLI's --bind / --out form); a bare name binds a tensor to a column of the same name. */
  public static TensorBinding parse(String text) {
    int eq = text.indexOf('=');
    if (eq < 0) {
      return new TensorBinding(text.trim(), text.trim());
    }
    return new TensorBinding(text.substring(0, eq).trim(), text.substring(eq + 1).trim());
  }

  @Override
  public String toString() {
    return tensor + "=" + column;
  }
}
