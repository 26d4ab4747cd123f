package dev.trtspark.conf;

import java.util.Locale;

/** Byte counts as users write them: {@code 1048576}, {@code 512k}, {@code 512m}, {@code 4g}, {@code 1t} (binary units). */
public final class ByteSize {
  private static final String UNITS = "kmgt";

  private ByteSize() {}

  public static long parse(String text) {
    String s = text.trim().toLowerCase(Locale.ROOT);
    if (s.endsWith("b")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.isEmpty()) {
      throw new IllegalArgumentException("empty");
    }
    int unit = UNITS.indexOf(s.charAt(s.length() - 1));
    long number = Long.parseLong(unit >= 0 ? s.substring(0, s.length() - 1) : s);
    if (number < 0) {
      throw new IllegalArgumentException("negative");
    }
    long multiplier = unit >= 0 ? 1L << (10 * (unit + 1)) : 1L;
    return Math.multiplyExact(number, multiplier);
  }

  /** The shortest exact form: 4294967296 is "4g", 1000 is "1000". */
  public static String format(long bytes) {
    for (int unit = UNITS.length() - 1; unit >= 0; unit--) {
      long multiplier = 1L << (10 * (unit + 1));
      if (bytes != 0 && bytes % multiplier == 0) {
        return (bytes / multiplier) + String.valueOf(UNITS.charAt(unit));
      }
    }
    return String.valueOf(bytes);
  }
}
