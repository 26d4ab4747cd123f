package dev.trtspark.conf;

import java.io.Serializable;
import java.util.Locale;

/**
 * Which GPU a task uses: {@code auto} (the task's Spark {@code gpu} resource when GPU scheduling is
 * on, else the executor's visible devices round-robin) or a fixed CUDA ordinal.
 */
public final class DeviceChoice implements Serializable {
  private static final long serialVersionUID = 1L;
  public static final DeviceChoice AUTO = new DeviceChoice(-1);
  private final int ordinal;

  private DeviceChoice(int ordinal) {
    this.ordinal = ordinal;
  }

  public static DeviceChoice ordinal(int ordinal) {
    if (ordinal < 0) {
      throw new IllegalArgumentException("a CUDA ordinal is >= 0");
    }
    return new DeviceChoice(ordinal);
  }

  public static DeviceChoice parse(String text) {
    if (text.toLowerCase(Locale.ROOT).equals("auto")) {
      return AUTO;
    }
    return ordinal(Integer.parseInt(text));
  }

  public boolean isAuto() {
    return ordinal < 0;
  }

  /** The fixed CUDA ordinal; only when not {@link #isAuto()}. */
  public int ordinal() {
    if (isAuto()) {
      throw new IllegalStateException("device is auto");
    }
    return ordinal;
  }

  @Override
  public String toString() {
    return isAuto() ? "auto" : Integer.toString(ordinal);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DeviceChoice && ((DeviceChoice) o).ordinal == ordinal;
  }

  @Override
  public int hashCode() {
    return ordinal;
  }
}
