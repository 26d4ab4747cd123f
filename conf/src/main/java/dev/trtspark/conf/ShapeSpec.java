package dev.trtspark.conf;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Shapes per input tensor in trtexec's notation, {@code input:1x3x224x224,mask:1x128}: used for the
 * min / opt / max dimensions of optimization profiles. Immutable; keeps the order it was given in.
 */
public final class ShapeSpec implements Serializable {
  private static final long serialVersionUID = 1L;
  private final Map<String, long[]> shapes;

  private ShapeSpec(Map<String, long[]> shapes) {
    this.shapes = shapes;
  }

  public static ShapeSpec of(Map<String, long[]> shapes) {
    Map<String, long[]> copy = new LinkedHashMap<>();
    shapes.forEach((k, v) -> copy.put(k, v.clone()));
    return new ShapeSpec(Collections.unmodifiableMap(copy));
  }

  /**
   * Parses {@code name:AxBxC[,name:...]}. A tensor name may itself contain ':' (the last one
   * separates the dimensions); every dimension must be a positive integer.
   */
  public static ShapeSpec parse(String text) {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String part : text.split(",")) {
      String item = part.trim();
      int colon = item.lastIndexOf(':');
      if (colon <= 0 || colon == item.length() - 1) {
        throw new IllegalArgumentException("'" + item + "' is not name:AxBxC");
      }
      String name = item.substring(0, colon);
      String[] dims = item.substring(colon + 1).split("x", -1);
      long[] shape = new long[dims.length];
      for (int i = 0; i < dims.length; i++) {
        try {
          shape[i] = Long.parseLong(dims[i].trim());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("dimension " + i + " of " + name + " is '" + dims[i] + "', not a number");
        }
        if (shape[i] <= 0) {
          throw new IllegalArgumentException("dimension " + i + " of " + name + " is " + shape[i] + ", must be positive");
        }
      }
      if (out.put(name, shape) != null) {
        throw new IllegalArgumentException(name + " given twice");
      }
    }
    return of(out);
  }

  /** Input names in the order given. */
  public java.util.Set<String> names() {
    return shapes.keySet();
  }

  /** The shape for {@code name}, or null when this spec says nothing about it; a fresh copy. */
  public long[] shape(String name) {
    long[] s = shapes.get(name);
    return s == null ? null : s.clone();
  }

  @Override
  public String toString() {
    return shapes.entrySet().stream()
        .map(e -> e.getKey() + ":" + Arrays.stream(e.getValue()).mapToObj(Long::toString).collect(Collectors.joining("x")))
        .collect(Collectors.joining(","));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ShapeSpec && toString().equals(o.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }
}
