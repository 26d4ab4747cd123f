package dev.trtspark.engine.tensor;

import java.util.Locale;

/** Element types a model tensor can have, with their size; the same names for every backend. */
public enum DType {
  FLOAT32(4),
  FLOAT16(2),
  BFLOAT16(2),
  INT8(1),
  UINT8(1),
  INT32(4),
  INT64(8),
  BOOL(1);

  private final int bytes;

  DType(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Lower-case name as shown to users ("float32"). */
  public String display() {
    return name().toLowerCase(Locale.ROOT);
  }
}
